"""govshare — government information-system integration and data sharing (政务信息系统整合共享)."""

__version__ = "0.1.0"
