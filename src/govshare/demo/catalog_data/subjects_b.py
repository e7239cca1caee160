"""Business subjects of 城管局, 农业农村局, 水利局, 教育局, 卫健委, 交通运输局."""

from __future__ import annotations

from govshare.demo.catalog_data.specs import Subject

SUBJECTS: dict[str, tuple[Subject, ...]] = {
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
}
