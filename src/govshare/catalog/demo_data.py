"""Catalog of the demo city (潍坊市): the five base resources written out in full, and per
department the business subjects (业务对象) from which demo.py derives its other resources.

A subject yields up to five resources ("views" below): its record (X信息), its change log
(X变更记录), monthly statistics by district (X统计数据, open to the public), a verification
service (X核验服务, answers 一致/不一致 only) and its documents. So ~100 subjects give the ~300
resources of the demo without 300 hand-written entries.

Data items are written as one string, separated by "; ": each ``"名称 IDENT TYPE[LENGTH] flags…"``,
or ``"@IDENT"`` for one of the COMMON items. Flags:

- grade ``core``/``imp``/``g4``…``g1`` (default ``g1``, 一般数据 level 1);
- ``pi``: personal information; ``m=<policy>``: default masking (name, id_number, phone,
  address, bank_card, email, custom);
- ``=ELEMENT``: linked data element when it is not the item's own identifier (an item whose
  identifier names a data element is linked to it);
- ``cs``/``ns``: the item is stricter than its resource (有条件 / 不予共享);
- ``closed``: not opened even when the resource is open.
"""

from __future__ import annotations

from dataclasses import dataclass

# Items many subjects share. Personal items carry their masking (standards.md §5.2).
COMMON: dict[str, str] = {
    "GMSFHM": "公民身份号码 GMSFHM C18 imp pi m=id_number",
    "XM": "姓名 XM C50 g3 pi m=name",
    "XBDM": "性别 XBDM C1 g2 pi",
    "CSRQ": "出生日期 CSRQ D8 g3 pi",
    "MZDM": "民族 MZDM C2 g3 pi",
    "LXDH": "联系电话 LXDH C18 g3 pi m=phone",
    "DZ": "住址 DZ C200 g3 pi m=address",
    "TYSHXYDM": "统一社会信用代码 TYSHXYDM C18",
    "JGMC": "机构名称 JGMC C200",
    "FDDBR": "法定代表人 FDDBR C50 g2 pi m=name",
    "XZQHDM": "行政区划代码 XZQHDM C6",
    "ZZBH": "证照编号 ZZBH C64 g2",
    "FZJG": "发证机关 FZJG C100",
    "FZRQ": "发证日期 FZRQ D8",
    "YXQZ": "有效期至 YXQZ D8",
    "SJGXSJ": "数据更新时间 SJGXSJ T14",
}

# Items every derived view adds (see demo.py).
STATISTICS_ITEMS = (
    "统计年月 TJNY C6; @XZQHDM; 区划名称 QHMC C50; 本期新增数量 BQXZSL I10; 期末累计数量 QMLJSL I10"
)
CHANGE_ITEMS = (
    "变更事项 BGSX C100; 变更前内容 BGQNR C500 g2; 变更后内容 BGHNR C500 g2; 变更日期 BGRQ D8"
)
VERIFY_ITEMS = "核验结果 HYJG C1; 核验时间 HYSJ T14"

PIPL_34 = (
    "《中华人民共和国个人信息保护法》第三十四条：国家机关为履行法定职责处理个人信息，不得超出"
    "履行法定职责所必需的范围和限度"
)


@dataclass(frozen=True)
class BaseResource:
    """One of the five base information resources (基础信息资源), with all its items."""

    department: str
    category: str
    name: str
    summary: str
    items: str
    system: str
    share: str = "conditional"
    condition: str = ""
    is_open: bool = False
    open_condition: str = ""
    cycle: str = "daily"
    format_type: str = "Oracle"
    mode: str = "api"
    keywords: str = ""
    tags: str = ""


@dataclass(frozen=True)
class Subject:
    """A department's business subject and the views of it that the demo catalogues."""

    stem: str
    category: str
    about: str
    items: str
    views: str = "rcs"  # r record, c change log, s statistics, v verification, d documents
    share: str = "conditional"
    basis: str = ""
    system: str = ""
    cycle: str = "daily"
    is_open: bool = False
    tags: str = ""  # k: key-supervision list (重点监管), g: government-service list (政务服务)
    record: str = ""  # the record's name when "<stem>信息" does not read well


BASE_RESOURCES: tuple[BaseResource, ...] = (
    BaseResource(
        department="gaj",
        category="101",
        name="人口基础信息",
        summary=(
            "全市户籍人口的身份、户籍、住址和变动信息，由公安机关户籍管理工作形成，"
            "是政务服务身份核验、社会保障、教育卫生等业务的基础数据"
        ),
        items=(
            "@GMSFHM; @XM; 曾用名 CYM C50 g3 pi m=name; @XBDM; @MZDM; @CSRQ; "
            "出生地 CSD C200 g2 pi =DZ; 籍贯 JG C100 g2 pi; "
            "户籍地址 HJDZ C200 g3 pi m=address =DZ; @DZ; 户籍所在区划 HJQHDM C6 =XZQHDM; "
            "户号 HH C20 g3 pi; 与户主关系 YHZGX C2 g3 pi; 户籍状态 HJZT C2 g2; "
            "文化程度 WHCD C2 g2 pi; 婚姻状况 HYZK C2 g3 pi; 服务处所 FWCS C200 g3 pi; @LXDH; "
            "迁入日期 QRRQ D8 g2 pi; 死亡注销日期 SWZXRQ D8 g2 pi; "
            "人像照片 RXZP G imp pi m=custom ns; @SJGXSJ"
        ),
        system="人口信息管理系统",
        condition=(
            "政务部门因履行法定职责需要，可通过共享平台接口按公民身份号码查询或核验；"
            "批量获取须说明用途和范围并经市公安局审核同意。人像照片不予共享"
        ),
        keywords="人口 户籍 身份证 居民",
        tags="g",
    ),
    BaseResource(
        department="scj",
        category="102",
        name="法人单位基础信息",
        summary=(
            "在本市登记的企业、农民专业合作社和个体工商户等市场主体的登记信息，"
            "由市场主体登记注册工作形成"
        ),
        items=(
            "@TYSHXYDM; @JGMC; 市场主体类型 ZTLX C4; @FDDBR; "
            "法定代表人证件类型 FDDBRZJLX C2 g2 pi cs; "
            "法定代表人证件号码 FDDBRZJHM C18 imp pi m=id_number cs =GMSFHM; 成立日期 CLRQ D8; "
            "注册资本 ZCZB Y18; 注册资本币种 ZCZBBZ C3; 住所 ZS C200 =DZ; 经营范围 JYFW M; "
            "营业期限自 YYQXZ D8; 营业期限至 YYQXJZ D8; 登记机关 DJJG C100; 核准日期 HZRQ D8; "
            "登记状态 DJZT C2; 所属行政区划 SSXZQH C6 =XZQHDM; "
            "企业联系电话 QYLXDH C18 g2 cs closed =LXDH; @SJGXSJ"
        ),
        system="市场主体登记注册系统",
        share="unconditional",
        is_open=True,
        open_condition=(
            "企业登记公示信息通过公共数据开放网站向社会开放；法定代表人证件号码、"
            "联系电话等个人和联络信息不开放"
        ),
        keywords="法人 企业 市场主体 统一社会信用代码 营业执照",
        tags="gk",
    ),
    BaseResource(
        department="dsj",
        category="105",
        name="电子证照目录",
        summary=(
            "全市各部门签发的电子证照的目录信息（证照类型、持证主体、发证机关和有效期），"
            "汇聚于市电子证照库，支撑政务服务“免证办”"
        ),
        items=(
            "@ZZBH; 证照名称 ZZMC C100; 证照类型代码 ZZLXDM C20; 持证主体 CZZT C200 g3 pi m=name; "
            "持证主体代码 CZZTDM C18 imp pi m=id_number; 持证主体代码类型 CZZTDMLX C2; @FZJG; "
            "发证机关代码 FZJGDM C18 =TYSHXYDM; @FZRQ; 有效期起始 YXQQS D8; @YXQZ; "
            "证照状态 ZZZT C2; 证照文件 ZZWJ G imp pi m=custom ns; 签章信息 QZXX M g2; @SJGXSJ"
        ),
        system="潍坊市政务信息资源共享交换平台",
        condition=(
            "政务服务窗口和审批部门办理业务时，经办事人授权后按持证主体代码调用；"
            "证照文件原件不予共享，通过证照库在线核验"
        ),
        cycle="realtime",
        format_type="达梦DM8",
        keywords="电子证照 证照库 免证办",
        tags="g",
    ),
    BaseResource(
        department="dsj",
        category="104",
        name="社会信用信息",
        summary=(
            "汇聚全市各部门的法人和其他组织信用信息：行政许可、行政处罚（“双公示”）、失信记录、"
            "守信激励和公共信用综合评价"
        ),
        items=(
            "信用主体名称 XYZTMC C200 =JGMC; @TYSHXYDM; 主体类型 ZTLX C2; @FDDBR; "
            "行政许可决定文书号 XZXKWSH C100; 行政许可内容 XZXKNR C2000; 许可决定日期 XKJDRQ D8; "
            "行政处罚决定书文号 XZCFJDSWH C100; 处罚类别 CFLB C20; 处罚事由 CFSY C2000; "
            "处罚决定日期 CFJDRQ D8; 失信记录类型 SXJLLX C20 g2; 失信认定依据 SXRDYJ C500 g2; "
            "失信认定日期 SXRDRQ D8 g2; 列入严重失信主体名单 YZSXMD L1 g2; "
            "守信激励记录 SXJLJL C500; 公共信用综合评价等级 XYPJDJ C2 g3 closed; "
            "数据来源部门 SJLYBM C100; @SJGXSJ"
        ),
        system="潍坊市政务信息资源共享交换平台",
        condition=(
            "各部门在行政审批、监管执法、公共资源交易和评优评先中查询使用，实施信用分级分类监管"
        ),
        is_open=True,
        open_condition="行政许可和行政处罚信息自决定之日起7个工作日内向社会公示；个人信息不开放",
        keywords="社会信用 双公示 失信 信用评价",
        tags="k",
    ),
    BaseResource(
        department="zrj",
        category="103",
        name="自然资源和空间地理",
        summary=(
            "全市国土调查、地籍和基础测绘形成的自然资源和空间地理信息：图层、地块、地类、"
            "权属和空间范围，坐标系为2000国家大地坐标系"
        ),
        items=(
            "图层编码 TCBM C20; 图层名称 TCMC C100; 要素编号 YSBH C32; 地块编号 DKBH C32; "
            "地块名称 DKMC C100; @XZQHDM; 坐落 ZL C200 =DZ; 地类编码 DLBM C4; 地类名称 DLMC C50; "
            "面积 MJ N15; 权属性质 QSXZ C2 g2; 权属单位 QSDW C200 g2; 坐标系 ZBX C30; "
            "空间范围 KJFW G imp; 测绘精度 CHJD C20 g2; 数据时相 SJSX D8; @SJGXSJ"
        ),
        system="国土空间基础信息平台",
        condition=(
            "用于国土空间规划、项目审批、执法监管和应急管理；"
            "空间范围按《测绘成果管理条例》审核后提供，不得转提供"
        ),
        cycle="monthly",
        format_type="KingbaseES",
        keywords="自然资源 国土空间 地块 测绘 地理信息",
        tags="k",
    ),
)


SUBJECTS: dict[str, tuple[Subject, ...]] = {
    "gaj": (
        Subject(
            "流动人口居住登记",
            "101002",
            "在本市居住半年以上的流动人口的居住登记和居住证申领情况",
            (
                "@GMSFHM; @XM; @XBDM; 居住地址 JZDZ C200 g3 pi m=address =DZ; 居住事由 JZSY C2 g2; "
                "登记日期 DJRQ D8; @LXDH"
            ),
            views="rcsv",
            system="人口信息管理系统",
            tags="g",
        ),
        Subject(
            "居民身份证办理",
            "307",
            "居民身份证申领、换领、补领的受理和制证进度",
            (
                "受理编号 SLBH C32; @GMSFHM; @XM; 办理类型 BLLX C2; 受理日期 SLRQ D8; "
                "受理单位 SLDW C100; 领证日期 LZRQ D8"
            ),
            system="人口信息管理系统",
            tags="g",
        ),
        Subject(
            "出入境证件办理",
            "307",
            "护照、往来港澳台通行证的申请受理、审批和签发",
            (
                "@GMSFHM; @XM; 证件类型 ZJLX C2; 证件号码 ZJHM C20 imp pi m=custom; "
                "签发日期 QFRQ D8; @YXQZ; 受理单位 SLDW C100"
            ),
            views="rcsv",
            system="出入境证件办理系统",
            tags="g",
        ),
        Subject(
            "机动车交通违法",
            "307",
            "机动车交通违法行为的记录、处理和罚款缴纳",
            (
                "号牌号码 HPHM C15 g3; 号牌种类 HPZL C2; 违法时间 WFSJ T14; 违法地点 WFDD C200; "
                "违法行为 WFXW C200; 罚款金额 FKJE Y10; 记分 JF I2; 处理状态 CLZT C2"
            ),
            system="交通违法处理系统",
        ),
        Subject(
            "治安卡口车辆通行",
            "212",
            "治安卡口采集的过往车辆通行记录",
            (
                "卡口编号 KKBH C32; 通过时间 TGSJ T14; 号牌号码 HPHM C15 imp; 行驶方向 XSFX C2; "
                "车辆图片地址 CLTPDZ C500 imp"
            ),
            views="rs",
            share="not_shared",
            basis=(
                "《中华人民共和国个人信息保护法》第三十四条：国家机关为履行法定职责处理个人信息，"
                "不得超出履行法定职责所必需的范围和限度；"
                "车辆轨迹属于行踪轨迹类敏感个人信息（同法第二十八条），明细不予共享"
            ),
            system="治安卡口监控系统",
            cycle="realtime",
        ),
        Subject(
            "犬只登记",
            "210",
            "城区养犬登记、年检和免疫情况",
            (
                "犬只登记证号 QZDJZH C32; 犬主姓名 QZXM C50 g3 pi m=name =XM; "
                "犬主证件号码 QZZJHM C18 imp pi m=id_number =GMSFHM; 犬只品种 QZPZ C50; "
                "免疫日期 MYRQ D8; 登记地址 DJDZ C200 g3 pi m=address =DZ"
            ),
            views="rs",
        ),
        Subject(
            "110接处警",
            "212",
            "110报警电话接警和处警记录",
            (
                "警情编号 JQBH C32; 接警时间 JJSJ T14; 警情类别 JQLB C4; 发生地址 FSDZ C200 g2; "
                "处警单位 CJDW C100; 处警结果 CJJG C500 g2"
            ),
            views="rs",
            share="not_shared",
            basis=(
                "《中华人民共和国个人信息保护法》第三十四条：国家机关为履行法定职责处理个人信息，"
                "不得超出履行法定职责所必需的范围和限度；警情明细涉及报警人和当事人信息，"
                "按警务工作秘密管理，不予共享"
            ),
            system="警务综合平台",
            cycle="realtime",
        ),
        Subject(
            "机动车驾驶证",
            "105",
            "机动车驾驶证的申领、换证和记分",
            (
                "驾驶证档案编号 JSZDABH C12 g2; @XM; @GMSFHM; 准驾车型 ZJCX C10; "
                "初次领证日期 CCLZRQ D8; 驾驶证状态 JSZZT C2; @YXQZ; 累积记分 LJJF I2"
            ),
            views="rcsv",
            system="交通违法处理系统",
            tags="g",
        ),
        Subject(
            "机动车登记",
            "307",
            "机动车注册、转移、变更和注销登记",
            (
                "号牌号码 HPHM C15 g3; 号牌种类 HPZL C2; 车辆识别代号 CLSBDH C17 g2; "
                "车辆品牌 CLPP C50; 机动车所有人 JDCSYR C200 g3 pi m=name; "
                "所有人证件号码 SYRZJHM C18 imp pi m=id_number =GMSFHM; 初次登记日期 CCDJRQ D8; "
                "机动车状态 JDCZT C2"
            ),
            views="rcsv",
            system="交通违法处理系统",
            tags="g",
        ),
    ),
    "rsj": (
        Subject(
            "社会保险参保登记",
            "203",
            "企业职工和城乡居民养老、失业、工伤保险的参保登记和缴费状态",
            (
                "@GMSFHM; @XM; 参保单位统一社会信用代码 CBDWDM C18 =TYSHXYDM; "
                "参保单位名称 CBDWMC C200 =JGMC; 险种类型 XZLX C3; 参保状态 CBZT C2; "
                "参保日期 CBRQ D8; 缴费基数 JFJS Y12 imp pi"
            ),
            views="rcsv",
            system="社会保险经办系统",
            tags="g",
        ),
        Subject(
            "养老保险待遇发放",
            "203",
            "基本养老保险待遇的核定和按月发放",
            (
                "@GMSFHM; @XM; 待遇类型 DYLX C2; 发放年月 FFNY C6; 发放金额 FFJE Y12 imp pi; "
                "银行账号 YHZH C32 imp pi m=bank_card"
            ),
            system="社会保险经办系统",
        ),
        Subject(
            "就业失业登记",
            "203",
            "劳动者就业登记、失业登记和就业困难人员认定",
            (
                "@GMSFHM; @XM; 就业状态 JYZT C2; 登记日期 DJRQ D8; 就业单位 JYDW C200; "
                "就业创业证号 JYCYZH C32 g2"
            ),
            views="rcsv",
            system="就业创业服务系统",
            tags="g",
        ),
        Subject(
            "职业资格证书",
            "105",
            "职业资格和职业技能等级证书的核发",
            "@ZZBH; @XM; @GMSFHM; 职业名称 ZYMC C100; 证书等级 ZSDJ C2; @FZRQ; @FZJG",
            views="rcv",
            system="就业创业服务系统",
            tags="g",
        ),
        Subject(
            "劳动保障监察案件",
            "104",
            "劳动保障违法案件的立案、查处和结案",
            (
                "案件编号 AJBH C32; 用人单位统一社会信用代码 YRDWDM C18 =TYSHXYDM; "
                "用人单位名称 YRDWMC C200 =JGMC; 违法事实 WFSS M; 处理结果 CLJG C500; "
                "结案日期 JARQ D8"
            ),
            system="劳动保障监察系统",
            tags="k",
        ),
        Subject(
            "专业技术职称评审",
            "307",
            "专业技术职称的申报、评审结果和证书",
            (
                "@XM; @GMSFHM; 专业名称 ZYMC C100; 资格名称 ZGMC C100; 评审通过日期 PSTGRQ D8; "
                "评审委员会 PSWYH C100"
            ),
            views="rs",
            system="职称评审管理系统",
        ),
        Subject(
            "人事考试成绩",
            "201",
            "事业单位公开招聘等人事考试的报名和成绩",
            "准考证号 ZKZH C20 g2; @XM; @GMSFHM; 考试名称 KSMC C100; 成绩 CJ N6; 合格标志 HGBZ L1",
            views="rs",
            system="人事考试报名系统",
            cycle="irregular",
        ),
        Subject(
            "工伤认定",
            "203",
            "职工工伤认定的申请和结论",
            (
                "认定编号 RDBH C32; @XM; @GMSFHM; 用人单位名称 YRDWMC C200 =JGMC; "
                "事故日期 SGRQ D8; 认定结论 RDJL C2; 认定日期 RDRQ D8"
            ),
            system="社会保险经办系统",
            tags="g",
        ),
    ),
    "czj": (
        Subject(
            "部门预算",
            "307",
            "市直部门年度预算的功能分类和经济分类明细",
            (
                "预算年度 YSND C4; 预算单位编码 YSDWBM C20; 预算单位名称 YSDWMC C200 =JGMC; "
                "功能科目 GNKM C20; 经济科目 JJKM C20; 预算金额 YSJE Y18"
            ),
            share="unconditional",
            system="预算管理一体化系统",
            cycle="yearly",
            is_open=True,
        ),
        Subject(
            "国库集中支付",
            "307",
            "预算单位通过国库集中支付的支付申请和清算",
            (
                "支付凭证号 ZFPZH C32; 预算单位名称 YSDWMC C200 =JGMC; 收款人名称 SKRMC C200 g2; "
                "收款人账号 SKRZH C32 imp m=bank_card; 支付金额 ZFJE Y18; 支付日期 ZFRQ D8"
            ),
            views="rs",
            system="国库集中支付系统",
        ),
        Subject(
            "政府采购项目",
            "307",
            "政府采购项目的采购方式、中标结果和合同金额",
            (
                "采购项目编号 CGXMBH C32; 项目名称 XMMC C200; 采购方式 CGFS C2; 预算金额 YSJE Y18; "
                "中标供应商 ZBGYS C200 =JGMC; 供应商统一社会信用代码 GYSDM C18 =TYSHXYDM; "
                "中标金额 ZBJE Y18; 公告日期 GGRQ D8"
            ),
            share="unconditional",
            system="政府采购管理系统",
            is_open=True,
            tags="k",
        ),
        Subject(
            "非税收入缴款",
            "307",
            "行政事业性收费、罚没收入等非税收入的收缴",
            (
                "缴款书编号 JKSBH C32; 执收单位 ZSDW C200; 缴款人 JKR C200 g3 pi m=name; "
                "收入项目 SRXM C100; 缴款金额 JKJE Y14; 缴款日期 JKRQ D8"
            ),
            views="rs",
            system="非税收入收缴系统",
        ),
        Subject(
            "行政事业单位资产",
            "307",
            "行政事业单位的固定资产卡片和处置",
            (
                "资产编号 ZCBH C32; 资产名称 ZCMC C200; 资产分类 ZCFL C10; "
                "使用单位 SYDW C200 =JGMC; 取得日期 QDRQ D8; 原值 YZ Y18; 净值 JZ Y18"
            ),
            system="行政事业单位资产管理系统",
            cycle="monthly",
        ),
        Subject(
            "财政专项资金",
            "307",
            "市级财政专项资金的分配和下达",
            (
                "资金名称 ZJMC C200; 项目名称 XMMC C200; 主管部门 ZGBM C200 =JGMC; "
                "下达文号 XDWH C100; 下达金额 XDJE Y18; 下达日期 XDRQ D8"
            ),
            views="rs",
            share="unconditional",
            system="预算管理一体化系统",
            cycle="monthly",
            is_open=True,
        ),
    ),
    "zjj": (
        Subject(
            "商品房网签备案",
            "209",
            "新建商品房和存量房买卖合同的网签备案",
            (
                "合同编号 HTBH C32; 项目名称 XMMC C200; 房屋坐落 FWZL C200 g2 =DZ; "
                "建筑面积 JZMJ N10; 成交总价 CJZJ Y14 imp; 买受人姓名 MSRXM C50 g3 pi m=name =XM; "
                "买受人证件号码 MSRZJHM C18 imp pi m=id_number =GMSFHM; 备案日期 BARQ D8"
            ),
            views="rcsv",
            system="房屋交易网签备案系统",
            tags="g",
        ),
        Subject(
            "建筑业企业资质",
            "105",
            "建筑业企业资质证书的核发、延续和变更",
            (
                "@ZZBH; 企业名称 QYMC C200 =JGMC; @TYSHXYDM; 资质类别 ZZLB C50; 资质等级 ZZDJ C10; "
                "@FZJG; @FZRQ; @YXQZ"
            ),
            views="rcv",
            system="建筑市场监管平台",
            tags="gk",
        ),
        Subject(
            "建筑工程施工许可",
            "209",
            "房屋建筑和市政基础设施工程施工许可证的核发",
            (
                "施工许可证编号 SGXKZBH C32; 项目名称 XMMC C200; 建设单位 JSDW C200 =JGMC; "
                "建设地址 JSDZ C200 =DZ; 合同价格 HTJG Y18; @FZRQ"
            ),
            system="建筑市场监管平台",
            tags="gk",
        ),
        Subject(
            "住房公积金缴存",
            "203",
            "职工住房公积金的个人账户、缴存和余额",
            (
                "@GMSFHM; @XM; 个人账号 GRZH C32 g3 pi; 缴存单位 JCDW C200 =JGMC; "
                "月缴存额 YJCE Y10 imp pi; 账户余额 ZHYE Y14 imp pi; 账户状态 ZHZT C2"
            ),
            views="rsv",
            system="住房公积金管理系统",
            tags="g",
        ),
        Subject(
            "物业服务项目",
            "210",
            "物业服务企业和其管理的住宅小区项目",
            (
                "企业名称 QYMC C200 =JGMC; @TYSHXYDM; 项目名称 XMMC C200; 项目地址 XMDZ C200 =DZ; "
                "服务面积 FWMJ N12; 企业联系电话 QYLXDH C18 =LXDH"
            ),
            views="rs",
            system="物业管理服务平台",
        ),
        Subject(
            "城市建设档案",
            "209",
            "建设工程竣工档案的接收和保管",
            (
                "档案号 DAH C32; 工程名称 GCMC C200; 建设单位 JSDW C200 =JGMC; 竣工日期 JGRQ D8; "
                "档案类型 DALX C4"
            ),
            views="rd",
            system="城建档案管理系统",
            cycle="irregular",
        ),
        Subject(
            "保障性住房",
            "203",
            "公共租赁住房和租赁补贴的资格认定和保障",
            (
                "@XM; @GMSFHM; 家庭人口数 JTRKS I2; 保障方式 BZFS C2; 房源地址 FYDZ C200 =DZ; "
                "补贴金额 BTJE Y10 g3 pi; 资格认定日期 ZGRDRQ D8"
            ),
            system="房屋交易网签备案系统",
            cycle="monthly",
            tags="g",
        ),
    ),
    "zrj": (
        Subject(
            "国土空间规划",
            "103",
            "市、县国土空间总体规划和详细规划的批复成果",
            (
                "规划编号 GHBH C32; 规划名称 GHMC C200; 规划层级 GHCJ C2; 批准文号 PZWH C100; "
                "批准日期 PZRQ D8; 图层名称 TCMC C100; 坐标系 ZBX C30"
            ),
            views="rsd",
            share="unconditional",
            system="国土空间基础信息平台",
            cycle="irregular",
            is_open=True,
        ),
        Subject(
            "建设用地审批",
            "103",
            "农用地转用和土地征收等建设用地审批",
            (
                "批复文号 PFWH C100; 项目名称 XMMC C200; 用地单位 YDDW C200 =JGMC; "
                "地块编号 DKBH C32; 用地面积 YDMJ N12; 土地用途 TDYT C4; 批复日期 PFRQ D8"
            ),
            system="建设用地审批系统",
            tags="g",
        ),
        Subject(
            "采矿许可证",
            "105",
            "采矿权的登记和采矿许可证的核发",
            (
                "@ZZBH; 矿山名称 KSMC C200; 采矿权人 CKQR C200 =JGMC; @TYSHXYDM; "
                "开采矿种 KCKZ C50; 矿区面积 KQMJ N12; @YXQZ"
            ),
            views="rcv",
            system="矿产资源管理系统",
            tags="gk",
        ),
        Subject(
            "土地卫片执法",
            "307",
            "卫星遥感监测发现的疑似违法用地图斑及其查处",
            "图斑编号 TBBH C32; @XZQHDM; 图斑面积 TBMJ N12; 违法类型 WFLX C4; 查处状态 CCZT C2",
            views="rs",
            system="土地执法监察系统",
            cycle="quarterly",
            tags="k",
        ),
        Subject(
            "基础测绘成果",
            "103",
            "基础测绘成果的目录和提供使用",
            (
                "成果编号 CGBH C32; 成果名称 CGMC C200; 比例尺 BLC C20; 坐标系 ZBX C30; "
                "成果类型 CGLX C4; 测绘日期 CHRQ D8"
            ),
            views="rd",
            system="国土空间基础信息平台",
            cycle="yearly",
        ),
        Subject(
            "耕地保护",
            "103",
            "耕地和永久基本农田的数量、质量和变化",
            (
                "图斑编号 TBBH C32; @XZQHDM; 耕地面积 GDMJ N12; 永久基本农田面积 YJJBNTMJ N12; "
                "耕地等别 GDDB C2; 年度 ND C4"
            ),
            views="rs",
            system="国土空间基础信息平台",
            cycle="yearly",
        ),
    ),
    "bdc": (
        Subject(
            "不动产登记",
            "103",
            "土地、房屋等不动产权利的首次、转移、变更和注销登记",
            (
                "不动产单元号 BDCDYH C28; 不动产权证号 BDCQZH C50; 权利人 QLR C200 g3 pi m=name; "
                "权利人证件号码 QLRZJHM C18 imp pi m=id_number =GMSFHM; 坐落 ZL C200 g2 =DZ; "
                "面积 MJ N12; 用途 YT C4; 权利性质 QLXZ C4; 登记时间 DJSJ T14"
            ),
            views="rcsv",
            system="不动产登记业务系统",
            tags="g",
        ),
        Subject(
            "不动产抵押登记",
            "103",
            "不动产抵押权的设立、变更和注销登记",
            (
                "不动产单元号 BDCDYH C28; 抵押权人 DYQR C200 =JGMC; 抵押人 DYR C200 g3 pi m=name; "
                "被担保债权数额 DBZQSE Y18 imp; 债务履行期限起 ZWLXQXQ D8; "
                "债务履行期限止 ZWLXQXZ D8"
            ),
            views="rcv",
            system="不动产登记业务系统",
        ),
        Subject(
            "存量房交易登记",
            "209",
            "二手房买卖的交易登记",
            "合同编号 HTBH C32; 房屋坐落 FWZL C200 g2 =DZ; 成交价格 CJJG Y14 imp; 交易日期 JYRQ D8",
            views="rs",
            system="存量房交易登记系统",
        ),
        Subject(
            "不动产查封登记",
            "307",
            "司法机关和行政机关对不动产的查封、解封登记",
            (
                "查封文号 CFWH C100; 查封机关 CFJG C100; 不动产单元号 BDCDYH C28; "
                "查封起始日期 CFQSRQ D8; 查封终止日期 CFZZRQ D8"
            ),
            views="rc",
            system="不动产登记信息查询系统",
        ),
        Subject(
            "不动产权籍调查",
            "103",
            "宗地和房屋的权籍调查成果",
            (
                "宗地代码 ZDDM C19; 宗地面积 ZDMJ N12; 权利人 QLR C200 g3 pi m=name; "
                "界址点数 JZDS I6; 调查日期 DCRQ D8"
            ),
            views="rs",
            system="不动产登记业务系统",
            cycle="monthly",
        ),
    ),
    "cgj": (
        Subject(
            "数字城管案件",
            "210",
            "数字化城市管理发现、派遣、处置和结案的城市管理问题",
            (
                "案件编号 AJBH C32; 问题来源 WTLY C2; 问题类型 WTLX C10; 发生地址 FSDZ C200; "
                "上报时间 SBSJ T14; 处置部门 CZBM C100; 结案时间 JASJ T14; 处置状态 CZZT C2"
            ),
            system="数字化城市管理系统",
        ),
        Subject(
            "城市管理行政处罚",
            "104",
            "城市管理综合执法作出的行政处罚决定",
            (
                "处罚决定书文号 CFJDSWH C100; 当事人名称 DSRMC C200 =JGMC; "
                "当事人统一社会信用代码 DSRDM C18 =TYSHXYDM; 违法行为 WFXW C500; "
                "处罚内容 CFNR C500; 处罚日期 CFRQ D8"
            ),
            share="unconditional",
            system="城管执法办案系统",
            tags="k",
        ),
        Subject(
            "户外广告设置许可",
            "307",
            "户外广告设施设置的审批",
            (
                "许可编号 XKBH C32; 设置单位 SZDW C200 =JGMC; 设置地点 SZDD C200; "
                "广告规格 GGGG C50; 许可期限至 XKQXZ D8"
            ),
            views="rs",
            system="户外广告审批系统",
            tags="g",
        ),
        Subject(
            "环卫作业",
            "211",
            "道路清扫保洁和垃圾清运作业",
            (
                "作业车辆号牌 ZYCLHP C15; 作业区域 ZYQY C100; 作业日期 ZYRQ D8; 作业里程 ZYLC N8; "
                "清运量 QYL N10"
            ),
            views="rs",
            system="环卫作业监管系统",
        ),
        Subject(
            "市政设施",
            "201",
            "城市道路、桥梁、路灯和公厕等市政设施的位置和管理单位",
            (
                "设施编号 SSBH C32; 设施类型 SSLX C4; 设施名称 SSMC C100; 所在道路 SZDL C100; "
                "经度 JD N12; 纬度 WD N12; 管理单位 GLDW C200 =JGMC"
            ),
            views="rs",
            share="unconditional",
            system="数字化城市管理系统",
            cycle="monthly",
            is_open=True,
        ),
        Subject(
            "违法建设查处",
            "209",
            "违法建设的发现、立案、查处和拆除",
            (
                "案件编号 AJBH C32; 当事人 DSR C200 g2; 建设地址 JSDZ C200 =DZ; 违建面积 WJMJ N10; "
                "查处措施 CCCS C200; 立案日期 LARQ D8"
            ),
            system="城管执法办案系统",
            tags="k",
        ),
    ),
    "nyj": (
        Subject(
            "农机购置补贴",
            "307",
            "农业机械购置补贴的申请和资金兑付",
            (
                "申请编号 SQBH C32; 购机者姓名 GJZXM C50 g3 pi m=name =XM; "
                "购机者证件号码 GJZZJHM C18 imp pi m=id_number =GMSFHM; 机具品目 JJPM C100; "
                "补贴金额 BTJE Y12; 结算日期 JSRQ D8"
            ),
            system="农机购置补贴系统",
            tags="g",
        ),
        Subject(
            "农产品质量安全追溯",
            "204",
            "食用农产品生产主体、产地和检测结果的追溯",
            (
                "追溯码 ZSM C40; 产品名称 CPMC C100; 生产主体 SCZT C200 =JGMC; @TYSHXYDM; "
                "产地 CD C200; 检测结果 JCJG C2; 上市日期 SSRQ D8"
            ),
            views="rcsv",
            system="农产品质量安全追溯平台",
            tags="k",
        ),
        Subject(
            "动物检疫",
            "204",
            "动物及动物产品的产地检疫和检疫证明",
            (
                "检疫证明编号 JYZMBH C32; 动物种类 DWZL C20; 数量 SL I10; 启运地 QYD C200; "
                "到达地 DDD C200; 检疫日期 JYRQ D8; 官方兽医 GFSY C50"
            ),
            system="动物防疫监管系统",
            tags="k",
        ),
        Subject(
            "农村集体经济组织",
            "102",
            "农村集体经济组织的登记赋码和资产情况",
            (
                "组织名称 ZZMC C200 =JGMC; 登记证号 DJZH C32; @TYSHXYDM; 所在村 SZC C100; "
                "成员数 CYS I8; 资产总额 ZCZE Y18"
            ),
            views="rsv",
            system="农村集体资产管理系统",
            cycle="yearly",
        ),
        Subject(
            "家庭农场",
            "307",
            "县级以上示范家庭农场的经营情况",
            (
                "农场名称 NCMC C200; 经营者 JYZ C50 g3 pi m=name =XM; 经营面积 JYMJ N10; "
                "主营产业 ZYCY C100; 所在乡镇 SZXZ C100"
            ),
            views="rs",
            cycle="yearly",
            record="家庭农场名录",
        ),
        Subject(
            "种子生产经营许可",
            "105",
            "农作物种子生产经营许可证的核发",
            (
                "@ZZBH; 企业名称 QYMC C200 =JGMC; @TYSHXYDM; 生产经营范围 SCJYFW C500; "
                "作物种类 ZWZL C100; @FZJG; @YXQZ"
            ),
            views="rcv",
            tags="gk",
        ),
    ),
    "swj": (
        Subject(
            "取水许可",
            "105",
            "取水许可证的审批、延续和注销",
            (
                "@ZZBH; 取水权人 QSQR C200 =JGMC; @TYSHXYDM; 取水地点 QSDD C200; "
                "年取水量 NQSL N12; 水源类型 SYLX C2; @YXQZ"
            ),
            views="rcv",
            system="水资源管理系统",
            tags="gk",
        ),
        Subject(
            "河湖长制巡河",
            "211",
            "河湖长巡河记录和发现问题的处置",
            (
                "河湖编码 HHBM C20; 河湖名称 HHMC C100; 河湖长姓名 HHZXM C50 g2 =XM; "
                "巡河日期 XHRQ D8; 发现问题数 FXWTS I4"
            ),
            views="rs",
            system="河长制管理信息系统",
        ),
        Subject(
            "水雨情监测",
            "212",
            "水文站和雨量站的实时水位、雨量和流量",
            (
                "测站编码 CZBM C20; 测站名称 CZMC C100; 观测时间 GCSJ T14; 水位 SW N8; "
                "降雨量 JYL N8; 流量 LL N10"
            ),
            views="rs",
            share="unconditional",
            system="防汛抗旱指挥系统",
            cycle="realtime",
            is_open=True,
        ),
        Subject(
            "水利工程",
            "209",
            "水库、水闸、堤防等水利工程的基本情况",
            (
                "工程编码 GCBM C20; 工程名称 GCMC C200; 工程类别 GCLB C4; @XZQHDM; "
                "建成日期 JCRQ D8; 管理单位 GLDW C200 =JGMC"
            ),
            views="rs",
            system="水利工程建设管理系统",
            cycle="yearly",
        ),
        Subject(
            "防汛物资储备",
            "212",
            "市级防汛物资仓库的储备品种和数量",
            (
                "仓库名称 CKMC C100; 物资名称 WZMC C100; 数量 SL I10; 规格 GG C50; "
                "仓库地址 CKDZ C200 =DZ; 仓库联系电话 CKLXDH C18 =LXDH"
            ),
            views="r",
            system="防汛抗旱指挥系统",
            cycle="monthly",
        ),
    ),
    "jyj": (
        Subject(
            "中小学生学籍",
            "201",
            "全市中小学在校学生的学籍注册、转学和毕业",
            (
                "全国学籍号 QGXJH C19 imp pi; @XM; @GMSFHM; @XBDM; @CSRQ; "
                "学校名称 XXMC C200 =JGMC; 年级 NJ C2; 班级 BJ C10; 入学日期 RXRQ D8"
            ),
            views="rcsv",
            system="中小学学籍管理系统",
            tags="g",
        ),
        Subject(
            "义务教育招生报名",
            "201",
            "小学和初中新生入学的网上报名和录取",
            (
                "报名号 BMH C20; 学生姓名 XSXM C50 g3 pi m=name =XM; "
                "学生证件号码 XSZJHM C18 imp pi m=id_number =GMSFHM; 报名学校 BMXX C200; "
                "户籍地址 HJDZ C200 g3 pi m=address =DZ; "
                "监护人联系电话 JHRLXDH C18 g3 pi m=phone =LXDH"
            ),
            system="义务教育招生报名系统",
            cycle="yearly",
            tags="g",
        ),
        Subject(
            "教师资格证书",
            "105",
            "中小学和幼儿园教师资格的认定和证书",
            "@ZZBH; @XM; @GMSFHM; 资格种类 ZGZL C20; 任教学科 RJXK C20; @FZRQ; @FZJG",
            views="rcv",
            system="教师资格认定系统",
            tags="g",
        ),
        Subject(
            "学生资助",
            "203",
            "家庭经济困难学生资助的认定和发放",
            (
                "@XM; @GMSFHM; 资助项目 ZZXM C50; 资助金额 ZZJE Y10 g3 pi; 发放日期 FFRQ D8; "
                "学校名称 XXMC C200 =JGMC"
            ),
            views="rs",
            system="学生资助管理系统",
            cycle="quarterly",
        ),
        Subject(
            "学校名录",
            "201",
            "全市各级各类学校的办学类型、举办者和地址",
            (
                "学校标识码 XXBSM C10; 学校名称 XXMC C200 =JGMC; 办学类型 BXLX C4; "
                "举办者 JBZ C200; 学校地址 XXDZ C200 =DZ; 学校联系电话 XXLXDH C18 =LXDH"
            ),
            views="r",
            share="unconditional",
            system="中小学学籍管理系统",
            cycle="yearly",
            is_open=True,
            record="学校名录",
        ),
        Subject(
            "民办学校办学许可",
            "105",
            "民办学校办学许可证的核发和年检",
            (
                "@ZZBH; 学校名称 XXMC C200 =JGMC; 举办者 JBZ C200; 办学内容 BXNR C500; "
                "办学地址 BXDZ C200 =DZ; @FZJG; @YXQZ"
            ),
            views="rcv",
            tags="g",
        ),
    ),
    "wjw": (
        Subject(
            "出生医学证明",
            "105",
            "新生儿出生医学证明的签发",
            (
                "@ZZBH; 新生儿姓名 XSEXM C50 g3 pi m=name =XM; @XBDM; 出生时间 CSSJ T14 g3 pi; "
                "出生地点 CSDD C200 g2; 母亲姓名 MQXM C50 g3 pi m=name =XM; "
                "母亲证件号码 MQZJHM C18 imp pi m=id_number =GMSFHM; "
                "父亲姓名 FQXM C50 g3 pi m=name =XM; "
                "父亲证件号码 FQZJHM C18 imp pi m=id_number =GMSFHM; 签发机构 QFJG C100 =FZJG"
            ),
            views="rcv",
            system="出生医学证明管理系统",
            tags="g",
        ),
        Subject(
            "预防接种",
            "202",
            "儿童和成人的疫苗接种记录",
            (
                "受种者姓名 SZZXM C50 g3 pi m=name =XM; "
                "受种者证件号码 SZZZJHM C18 imp pi m=id_number =GMSFHM; 疫苗名称 YMMC C100; "
                "疫苗批号 YMPH C30; 接种日期 JZRQ D8; 接种单位 JZDW C200; 剂次 JC I2"
            ),
            system="疫苗接种管理系统",
        ),
        Subject(
            "医疗机构执业许可",
            "105",
            "医疗机构执业许可证的核发、校验和变更",
            "@ZZBH; @JGMC; @TYSHXYDM; 诊疗科目 ZLKM C500; @FDDBR; 机构地址 JGDZ C200 =DZ; @YXQZ",
            views="rcv",
            system="医疗机构执业登记系统",
            tags="gk",
        ),
        Subject(
            "居民电子健康档案",
            "202",
            "城乡居民电子健康档案的建档和随访",
            (
                "@GMSFHM; @XM; 建档日期 JDRQ D8; 血型 XX C2 g3 pi; 既往病史 JWBS C2000 imp pi ns; "
                "过敏史 GMS C500 imp pi"
            ),
            views="r",
            system="全民健康信息平台",
        ),
        Subject(
            "卫生监督行政处罚",
            "104",
            "卫生健康监督执法作出的行政处罚决定",
            (
                "处罚文书号 CFWSH C100; 被处罚单位 BCFDW C200 =JGMC; @TYSHXYDM; 违法事实 WFSS M; "
                "处罚种类 CFZL C20; 处罚金额 CFJE Y12; 处罚日期 CFRQ D8"
            ),
            views="rs",
            share="unconditional",
            system="卫生监督执法系统",
            tags="k",
        ),
        Subject(
            "医疗机构名录",
            "202",
            "全市医疗机构的类别、等级、地址和床位",
            (
                "@JGMC; 机构类别 JGLB C4; 机构等级 JGDJ C4; 机构地址 JGDZ C200 =DZ; "
                "机构联系电话 JGLXDH C18 =LXDH; 床位数 CWS I6"
            ),
            views="r",
            share="unconditional",
            system="医疗机构执业登记系统",
            cycle="monthly",
            is_open=True,
            record="医疗机构名录",
        ),
        Subject(
            "医师执业注册",
            "105",
            "医师执业证书的注册、变更和注销",
            (
                "@ZZBH; @XM; @GMSFHM; 执业类别 ZYLB C4; 执业范围 ZYFW C100; "
                "执业机构 ZYJG C200 =JGMC; @FZRQ"
            ),
            views="rcv",
            system="医疗机构执业登记系统",
            tags="gk",
        ),
        Subject(
            "法定传染病报告",
            "202",
            "医疗机构网络直报的法定传染病病例",
            (
                "报告卡编号 BGKBH C32; 病种 BZ C10 imp; 发病日期 FBRQ D8 imp; "
                "诊断日期 ZDRQ D8 imp; 报告单位 BGDW C200; 现住地区划 XZDQH C6 imp =XZQHDM"
            ),
            views="r",
            share="not_shared",
            basis="《中华人民共和国传染病防治法》：传染病疫情信息由卫生健康主管部门依法统一公布",
            system="全民健康信息平台",
            cycle="realtime",
        ),
    ),
    "jtj": (
        Subject(
            "道路运输经营许可",
            "105",
            "道路旅客、货物运输经营许可证的核发",
            "@ZZBH; 业户名称 YHMC C200 =JGMC; @TYSHXYDM; 经营范围 JYFW C500; @FZJG; @YXQZ",
            views="rcv",
            system="道路运输管理系统",
            tags="gk",
        ),
        Subject(
            "营运车辆",
            "307",
            "道路运输营运车辆的道路运输证和年审",
            (
                "道路运输证号 DLYSZH C32; 车牌号码 CPHM C15; 车辆类型 CLLX C4; "
                "核定载质量 HDZZL N8; 业户名称 YHMC C200 =JGMC; 年审日期 NSRQ D8"
            ),
            views="rcsv",
            system="道路运输管理系统",
            tags="k",
        ),
        Subject(
            "出租汽车驾驶员从业资格",
            "105",
            "出租汽车驾驶员从业资格证的核发和注册",
            "从业资格证号 CYZGZH C32; @XM; @GMSFHM; 服务单位 FWDW C200 =JGMC; @FZRQ; @YXQZ",
            views="rv",
            system="出租汽车监管平台",
            tags="g",
        ),
        Subject(
            "公交线路站点",
            "201",
            "城市公交线路、站点和首末班时间",
            (
                "线路编号 XLBH C20; 线路名称 XLMC C50; 站点名称 ZDMC C100; 站点序号 ZDXH I4; "
                "经度 JD N12; 纬度 WD N12; 首末班时间 SMBSJ C20"
            ),
            views="rs",
            share="unconditional",
            cycle="monthly",
            is_open=True,
        ),
        Subject(
            "交通工程质量监督",
            "205",
            "公路和水运工程的质量安全监督检查",
            (
                "监督编号 JDBH C32; 项目名称 XMMC C200; 建设单位 JSDW C200 =JGMC; "
                "施工单位 SGDW C200; 检查日期 JCRQ D8; 检查结论 JCJL C500"
            ),
            views="rs",
            system="交通工程质量监督系统",
            tags="k",
        ),
        Subject(
            "网约车车辆运输证",
            "307",
            "网络预约出租汽车车辆的运输证核发",
            (
                "运输证号 YSZH C32; 车牌号码 CPHM C15; 车辆所有人 CLSYR C200 g3 pi m=name; "
                "平台公司 PTGS C200 =JGMC; @FZRQ"
            ),
            system="出租汽车监管平台",
            tags="g",
        ),
        Subject(
            "公路桥梁隧道",
            "209",
            "国省干线和农村公路上的桥梁、隧道及其技术状况",
            (
                "桥隧编码 QSBM C20; 桥隧名称 QSMC C100; 路线编号 LXBH C10; 中心桩号 ZXZH C20; "
                "技术状况等级 JSZKDJ C2; 养护单位 YHDW C200 =JGMC"
            ),
            views="rs",
            share="unconditional",
            system="公路路政管理系统",
            cycle="yearly",
        ),
    ),
    "sw": (
        Subject(
            "纳税人登记",
            "102",
            "在本市办理税务登记的纳税人的登记信息",
            (
                "@TYSHXYDM; 纳税人名称 NSRMC C200 =JGMC; 登记注册类型 DJZCLX C3; "
                "主管税务机关 ZGSWJG C100; 纳税人状态 NSRZT C2; 登记日期 DJRQ D8"
            ),
            views="rcv",
            system="金税三期税收管理系统",
        ),
        Subject(
            "纳税信用等级",
            "104",
            "纳税人年度纳税信用评价结果",
            (
                "评价年度 PJND C4; @TYSHXYDM; 纳税人名称 NSRMC C200 =JGMC; 信用等级 XYDJ C1; "
                "评价日期 PJRQ D8"
            ),
            views="rs",
            share="unconditional",
            system="电子税务局",
            cycle="yearly",
            is_open=True,
            tags="k",
        ),
        Subject(
            "欠税公告",
            "104",
            "欠缴税款纳税人的欠税公告",
            (
                "纳税人名称 NSRMC C200 =JGMC; @TYSHXYDM; @FDDBR; 欠税税种 QSSZ C50; "
                "欠税余额 QSYE Y18; 公告日期 GGRQ D8"
            ),
            views="r",
            share="unconditional",
            system="金税三期税收管理系统",
            cycle="quarterly",
            is_open=True,
            tags="k",
        ),
        Subject(
            "增值税发票开具汇总",
            "307",
            "纳税人按月汇总的增值税发票开具情况",
            "@TYSHXYDM; 所属期 SSQ C6; 开票份数 KPFS I10; 开票金额 KPJE Y18 imp; 税额 SE Y18 imp",
            views="rs",
            system="金税三期税收管理系统",
            cycle="monthly",
        ),
        Subject(
            "纳税申报明细",
            "307",
            "纳税人各税种的申报和缴款明细",
            (
                "@TYSHXYDM; 税种 SZ C50; 所属期起 SSQQ D8; 所属期止 SSQZ D8; "
                "应纳税额 YNSE Y18 imp; 已缴税额 YJSE Y18 imp; 申报日期 SBRQ D8"
            ),
            views="r",
            share="not_shared",
            basis=(
                "《中华人民共和国税收征收管理法》第八条：税务机关应当依法为纳税人、"
                "扣缴义务人的情况保密"
            ),
            system="金税三期税收管理系统",
        ),
        Subject(
            "税收收入",
            "307",
            "按税种和区县汇总的税收收入入库情况",
            "所属年月 SSNY C6; 税种 SZ C50; @XZQHDM; 入库金额 RKJE Y18",
            views="rs",
            share="unconditional",
            system="金税三期税收管理系统",
            cycle="monthly",
        ),
    ),
    "scj": (
        Subject(
            "个体工商户登记",
            "102",
            "个体工商户的设立、变更和注销登记",
            (
                "@TYSHXYDM; 字号名称 ZHMC C200 =JGMC; 经营者姓名 JYZXM C50 g3 pi m=name =XM; "
                "经营者证件号码 JYZZJHM C18 imp pi m=id_number =GMSFHM; 经营场所 JYCS C200 =DZ; "
                "经营范围 JYFW M; 成立日期 CLRQ D8; 登记状态 DJZT C2"
            ),
            views="rcsv",
            system="市场主体登记注册系统",
            tags="g",
        ),
        Subject(
            "食品经营许可",
            "105",
            "食品经营许可证的核发、变更和注销",
            (
                "@ZZBH; 经营者名称 JYZMC C200 =JGMC; @TYSHXYDM; 经营场所 JYCS C200 =DZ; "
                "主体业态 ZTYT C50; 经营项目 JYXM C500; @FZJG; @YXQZ"
            ),
            views="rcv",
            system="食品安全监管系统",
            tags="gk",
        ),
        Subject(
            "特种设备",
            "205",
            "锅炉、压力容器、电梯、起重机械等特种设备的使用登记和定期检验",
            (
                "设备注册代码 SBZCDM C30; 设备类别 SBLB C4; 使用单位 SYDW C200 =JGMC; @TYSHXYDM; "
                "设置地点 SZDD C200; 下次检验日期 XCJYRQ D8; 使用状态 SYZT C2"
            ),
            system="特种设备安全监管系统",
            tags="k",
        ),
        Subject(
            "市场监管行政处罚",
            "104",
            "市场监管部门作出的行政处罚决定（依法公示）",
            (
                "处罚决定书文号 CFJDSWH C100; 当事人名称 DSRMC C200 =JGMC; @TYSHXYDM; "
                "违法行为类型 WFXWLX C100; 处罚内容 CFNR C500; 处罚机关 CFJG C100; 处罚日期 CFRQ D8"
            ),
            views="rs",
            share="unconditional",
            system="国家企业信用信息公示系统（山东）",
            is_open=True,
            tags="k",
        ),
        Subject(
            "经营异常名录",
            "104",
            "列入和移出经营异常名录的市场主体",
            (
                "@TYSHXYDM; 企业名称 QYMC C200 =JGMC; 列入原因 LRYY C200; 列入日期 LRRQ D8; "
                "作出决定机关 ZCJDJG C100; 移出日期 YCRQ D8"
            ),
            views="r",
            share="unconditional",
            system="国家企业信用信息公示系统（山东）",
            is_open=True,
            tags="k",
            record="经营异常名录",
        ),
        Subject(
            "食品安全抽检",
            "204",
            "食品安全监督抽检的样品和检验结论",
            (
                "抽检编号 CJBH C32; 样品名称 YPMC C100; 被抽样单位 BCYDW C200 =JGMC; "
                "标称生产企业 BCSCQY C200; 检验结果 JYJG C2; 不合格项目 BHGXM C200; "
                "抽样日期 CYRQ D8"
            ),
            views="rs",
            share="unconditional",
            system="食品安全监管系统",
            cycle="monthly",
            is_open=True,
            tags="k",
        ),
        Subject(
            "企业年度报告",
            "102001",
            "企业通过公示系统报送的年度报告",
            (
                "@TYSHXYDM; 企业名称 QYMC C200 =JGMC; 报告年度 BGND C4; 从业人数 CYRS I8 g2; "
                "资产总额 ZCZE Y18 imp; 营业总收入 YYZSR Y18 imp; 公示日期 GSRQ D8"
            ),
            system="国家企业信用信息公示系统（山东）",
            cycle="yearly",
        ),
        Subject(
            "计量器具强制检定",
            "205",
            "强制检定计量器具的检定结论",
            (
                "器具名称 QJMC C100; 出厂编号 CCBH C50; 使用单位 SYDW C200 =JGMC; "
                "检定结论 JDJL C2; 检定日期 JDRQ D8; @YXQZ"
            ),
            views="rs",
            tags="k",
        ),
    ),
    "mzj": (
        Subject(
            "社会救助对象",
            "203",
            "最低生活保障、特困供养和临时救助的对象和金额",
            (
                "@GMSFHM; @XM; 救助类型 JZLX C2; 家庭人口数 JTRKS I2; 保障金额 BZJE Y10 imp pi; "
                "开始日期 KSRQ D8; 所在社区 SZSQ C100"
            ),
            views="rcsv",
            system="社会救助管理系统",
            cycle="monthly",
            tags="g",
        ),
        Subject(
            "婚姻登记",
            "307",
            "结婚、离婚登记和补领婚姻登记证",
            (
                "登记类型 DJLX C2; 男方姓名 NFXM C50 g3 pi m=name =XM; "
                "男方证件号码 NFZJHM C18 imp pi m=id_number =GMSFHM; "
                "女方姓名 VFXM C50 g3 pi m=name =XM; "
                "女方证件号码 VFZJHM C18 imp pi m=id_number =GMSFHM; 登记日期 DJRQ D8; "
                "登记机关 DJJG C100; 证件字号 ZJZH C30 g2"
            ),
            views="rcv",
            system="婚姻登记管理系统",
            tags="g",
        ),
        Subject(
            "社会组织登记",
            "102003",
            "社会团体、民办非企业单位和基金会的登记",
            (
                "@TYSHXYDM; 社会组织名称 SHZZMC C200 =JGMC; 组织类型 ZZLX C2; "
                "业务主管单位 YWZGDW C200; @FDDBR; 成立登记日期 CLDJRQ D8; 登记状态 DJZT C2"
            ),
            views="rcsv",
            system="社会组织管理系统",
            tags="g",
        ),
        Subject(
            "养老机构",
            "203",
            "养老机构的备案、床位和收住对象",
            (
                "机构名称 JGMC C200; 机构地址 JGDZ C200 =DZ; 床位数 CWS I6; 收住对象 SZDX C100; "
                "机构联系电话 JGLXDH C18 =LXDH"
            ),
            views="rs",
            share="unconditional",
            system="养老服务信息平台",
            cycle="monthly",
            is_open=True,
        ),
        Subject(
            "殡葬服务",
            "307",
            "遗体火化和殡葬服务记录（供停发待遇、注销户口比对）",
            (
                "死亡人员姓名 SWRYXM C50 g3 pi m=name =XM; "
                "死亡人员证件号码 SWRYZJHM C18 imp pi m=id_number =GMSFHM; 死亡日期 SWRQ D8 g2; "
                "火化日期 HHRQ D8; 殡仪馆 BYG C100"
            ),
            views="rv",
            tags="g",
        ),
        Subject(
            "地名信息",
            "103",
            "标准地名的名称、类别、位置和命名",
            (
                "地名代码 DMDM C20; 标准名称 BZMC C100; 地名类别 DMLB C4; @XZQHDM; 经度 JD N12; "
                "纬度 WD N12; 命名日期 MMRQ D8"
            ),
            views="rs",
            share="unconditional",
            cycle="irregular",
            is_open=True,
        ),
    ),
    "sjj": (
        Subject(
            "审计项目",
            "307",
            "审计计划内项目的实施和完成情况",
            (
                "项目编号 XMBH C32; 项目名称 XMMC C200; 被审计单位 BSJDW C200 =JGMC; "
                "审计类型 SJLX C4; 审计期间 SJQJ C20; 完成日期 WCRQ D8"
            ),
            views="rs",
            system="审计管理系统",
            cycle="quarterly",
        ),
        Subject(
            "审计发现问题整改",
            "307",
            "审计发现问题的整改落实",
            (
                "问题编号 WTBH C32; 被审计单位 BSJDW C200 =JGMC; 问题描述 WTMS M g2; "
                "整改状态 ZGZT C2; 整改期限 ZGQX D8"
            ),
            views="r",
            share="not_shared",
            basis="《中华人民共和国审计法》关于审计机关和审计人员对工作秘密负有保密义务的规定",
            system="审计管理系统",
            cycle="monthly",
        ),
        Subject(
            "审计结果公告",
            "307",
            "依法向社会公告的审计结果",
            "公告编号 GGBH C32; 公告标题 GGBT C200; 公告日期 GGRQ D8",
            views="rd",
            share="unconditional",
            system="审计管理系统",
            cycle="irregular",
            is_open=True,
            record="审计结果公告目录",
        ),
    ),
    "dsj": (
        Subject(
            "政务服务事项",
            "201",
            "全市依申请政务服务事项的基本目录和实施清单",
            (
                "事项编码 SXBM C40; 事项名称 SXMC C200; 事项类型 SXLX C4; 实施主体 SSZT C200; "
                "法定办结时限 FDBJSX I4; 承诺办结时限 CNBJSX I4; 收费标准 SFBZ C500; "
                "办理地点 BLDD C200"
            ),
            views="rs",
            share="unconditional",
            system="潍坊市政务信息资源共享交换平台",
            is_open=True,
            tags="g",
        ),
        Subject(
            "政务服务办件",
            "201",
            "政务服务事项的申请、受理、办结和评价",
            (
                "办件编号 BJBH C40; 事项编码 SXBM C40; 申请人名称 SQRMC C200 g3 pi m=name; "
                "申请人证件号码 SQRZJHM C18 imp pi m=id_number =GMSFHM; 受理时间 SLSJ T14; "
                "办结时间 BJSJ T14; 办理结果 BLJG C2"
            ),
            system="潍坊市政务信息资源共享交换平台",
            cycle="realtime",
            tags="g",
        ),
        Subject(
            "12345热线工单",
            "210",
            "12345政务服务便民热线受理的诉求工单及办理",
            (
                "工单编号 GDBH C32; 诉求类型 SQLX C4; 诉求内容 SQNR M g2; "
                "来电人姓名 LDRXM C50 g3 pi m=name =XM; 来电号码 LDHM C18 g3 pi m=phone =LXDH; "
                "承办单位 CBDW C200; 办结时间 BJSJ T14; 满意度 MYD C1"
            ),
            system="城市大脑运行指挥平台",
        ),
        Subject(
            "城市运行体征",
            "212",
            "城市大脑汇聚的交通、环境、能源等城市运行体征指标",
            (
                "指标编码 ZBBM C20; 指标名称 ZBMC C100; 指标值 ZBZ N16; 采集时间 CJSJ T14; "
                "数据来源部门 SJLYBM C100"
            ),
            views="rs",
            system="城市大脑运行指挥平台",
            cycle="realtime",
        ),
        Subject(
            "政务云资源",
            "307",
            "各部门政务云资源的申请、分配和使用",
            (
                "资源编号 ZYBH C32; 使用单位 SYDW C200 =JGMC; 云主机数 YZJS I6; "
                "虚拟CPU核数 VCPU I8; 内存容量 NCRL I8; 存储容量 CCRL I10; 开通日期 KTRQ D8"
            ),
            views="rs",
            system="潍坊市政务云管理平台",
            cycle="monthly",
        ),
        Subject(
            "数据共享申请",
            "307",
            "各部门通过共享平台提出的数据共享申请和答复",
            (
                "申请编号 SQBH C32; 申请部门 SQBM C200 =JGMC; 资源名称 ZYMC C200; "
                "使用用途 SYYT C500; 申请日期 SQRQ D8; 审批结果 SPJG C2"
            ),
            views="rs",
            system="潍坊市政务信息资源共享交换平台",
        ),
        Subject(
            "电子政务外网地址分配",
            "307",
            "电子政务外网IP地址段和接入单位",
            "地址段 DZD C50 g2; 接入单位 JRDW C200 =JGMC; 接入方式 JRFS C4; 分配日期 FPRQ D8",
            views="r",
            system="潍坊市政务云管理平台",
            cycle="irregular",
        ),
    ),
    "sgdsj": (
        Subject(
            "蔬菜价格监测",
            "206",
            "寿光农产品物流园等批发市场的蔬菜日批发价格",
            (
                "市场名称 SCMC C100; 品种名称 PZMC C50; 规格 GG C50; 批发价格 PFJG Y8; "
                "采价日期 CJRQ D8"
            ),
            views="rs",
            share="unconditional",
            system="寿光市蔬菜产业大数据平台",
            is_open=True,
        ),
        Subject(
            "蔬菜种植大棚",
            "307",
            "寿光市蔬菜大棚的位置、经营者和种植品种",
            (
                "大棚编号 DPBH C32; 所在村 SZC C100; 经营者 JYZ C50 g3 pi m=name =XM; "
                "种植面积 ZZMJ N10; 种植品种 ZZPZ C100; 经度 JD N12; 纬度 WD N12"
            ),
            views="rs",
            system="寿光市蔬菜产业大数据平台",
            cycle="quarterly",
        ),
        Subject(
            "网格事件",
            "210",
            "网格员上报和处置的社会治理事件",
            (
                "事件编号 SJBH C32; 网格编号 WGBH C20; 事件类型 SJLX C4; 发生地址 FSDZ C200; "
                "上报人 SBR C50 g2 =XM; 上报时间 SBSJ T14; 处置状态 CZZT C2"
            ),
            system="寿光市网格化社会治理平台",
        ),
        Subject(
            "网格员",
            "210",
            "寿光市专兼职网格员和其所属网格",
            "@XM; @GMSFHM; 所属网格 SSWG C20; @LXDH; 上岗日期 SGRQ D8",
            views="r",
            system="寿光市网格化社会治理平台",
            cycle="monthly",
        ),
        Subject(
            "农业物联网监测",
            "307",
            "蔬菜大棚物联网传感器采集的环境数据",
            (
                "设备编号 SBBH C32; 大棚编号 DPBH C32; 采集时间 CJSJ T14; 空气温度 KQWD N6; "
                "空气湿度 KQSD N6; 土壤温度 TRWD N6; 光照强度 GZQD N10"
            ),
            views="rs",
            system="寿光市蔬菜产业大数据平台",
            cycle="realtime",
        ),
    ),
    "qzgaj": (
        Subject(
            "户籍业务受理",
            "101001",
            "青州市派出所受理的户口登记、迁移和注销业务",
            (
                "受理编号 SLBH C32; 业务类型 YWLX C4; @GMSFHM; @XM; 受理时间 SLSJ T14; "
                "办结时间 BJSJ T14; 受理派出所 SLPCS C100"
            ),
            system="青州市户籍业务受理系统",
            tags="g",
        ),
        Subject(
            "居住证办理",
            "101002",
            "青州市居住证的申领和签发",
            (
                "@GMSFHM; @XM; 居住证号 JZZH C32 g2; 居住地址 JZDZ C200 g3 pi m=address =DZ; "
                "签发日期 QFRQ D8; @YXQZ"
            ),
            views="rcv",
            system="青州市户籍业务受理系统",
            tags="g",
        ),
        Subject(
            "旅馆业住宿登记",
            "212",
            "青州市旅馆业的旅客住宿登记",
            (
                "旅馆名称 LGMC C200; 入住人姓名 RZRXM C50 g3 pi m=name =XM; "
                "入住人证件号码 RZRZJHM C18 imp pi m=id_number =GMSFHM; 入住时间 RZSJ T14 g3 pi; "
                "退房时间 TFSJ T14 g3 pi; 房间号 FJH C10 g2"
            ),
            views="r",
            system="青州市智慧警务平台",
            cycle="realtime",
        ),
        Subject(
            "重点场所视频点位",
            "212",
            "青州市重点场所视频监控点位",
            (
                "点位编号 DWBH C32; 点位名称 DWMC C100; 经度 JD N12 imp; 纬度 WD N12 imp; "
                "管理单位 GLDW C200 =JGMC"
            ),
            views="r",
            share="not_shared",
            basis=(
                "《公共安全视频图像信息系统管理条例》关于视频图像信息安全保护的规定："
                "重点场所点位分布不予共享"
            ),
            system="青州市智慧警务平台",
            cycle="irregular",
        ),
    ),
}
