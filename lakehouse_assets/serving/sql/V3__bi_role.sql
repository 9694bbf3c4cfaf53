-- lakehouse_bi: SELECT on the three views and nothing else (no table, no write).
-- ${bi_password} is LAKEHOUSE_BI_PASSWORD when the migration runs (docs/serving.md).

CREATE USER IF NOT EXISTS 'lakehouse_bi'@'%' IDENTIFIED BY '${bi_password}';

GRANT SELECT ON v_coupon_candidates TO 'lakehouse_bi'@'%';

GRANT SELECT ON v_sales_incentives TO 'lakehouse_bi'@'%';

GRANT SELECT ON v_category_trend TO 'lakehouse_bi'@'%';
