"""The five base information resources (基础信息资源) of the demo city, written out in full."""

from __future__ import annotations

from govshare.demo.catalog_data.specs import BaseResource

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
