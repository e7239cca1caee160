"""File exchange (文件交换): signed packages of a 文件 grant — building (packing.py, export.py),
checking (verify.py), the services others call (services.py) and the build job (tasks.py)."""
