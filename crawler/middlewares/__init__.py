"""morgue's Scrapy middlewares: the network guard, trap rules, backoff and resume replay."""
