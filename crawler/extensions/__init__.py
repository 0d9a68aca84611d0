"""morgue's Scrapy extensions (each registered in crawler/settings.py ``EXTENSIONS``)."""
