"""gongkai: parse 政府信息公开工作年度报告 into records and load them into SQLite."""
