"""Business subjects of 公安局, 人社局, 财政局, 住建局, 自然资源和规划局 and
不动产登记中心."""

from __future__ import annotations

from govshare.demo.catalog_data.specs import Subject

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
}
