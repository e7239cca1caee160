"""Business subjects of 税务局, 市场监管局, 民政局, 审计局, 大数据局 and the two county
departments."""

from __future__ import annotations

from govshare.demo.catalog_data.specs import Subject

SUBJECTS: dict[str, tuple[Subject, ...]] = {
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
