-- The BI views of SPEC §6. Standard SQL with window functions (MariaDB 10.2+, MySQL 8).
-- Views run with their definer's rights, so lakehouse_bi needs no grant on the tables.

CREATE OR REPLACE VIEW v_coupon_candidates AS
SELECT
    month,
    customer_id,
    total_net_usd,
    ROW_NUMBER() OVER (PARTITION BY month ORDER BY total_net_usd DESC, customer_id) AS spend_rank,
    NTILE(10) OVER (PARTITION BY month ORDER BY total_net_usd DESC, customer_id) AS spend_decile
FROM customer_monthly_sales
WHERE total_net_usd IS NOT NULL;

CREATE OR REPLACE VIEW v_sales_incentives AS
SELECT month, store_id, sales_person_id, total_net_usd, incentive_usd
FROM sales_team_monthly
WHERE is_top_performer;

CREATE OR REPLACE VIEW v_category_trend AS
SELECT
    cur.month,
    cur.category,
    cur.revenue_usd,
    prev.revenue_usd AS prev_month_revenue_usd,
    CASE
        WHEN prev.revenue_usd IS NULL OR prev.revenue_usd = 0 THEN NULL
        ELSE ROUND(100 * (cur.revenue_usd - prev.revenue_usd) / prev.revenue_usd, 2)
    END AS mom_change_pct
FROM category_monthly_revenue AS cur
LEFT JOIN category_monthly_revenue AS prev
    ON prev.category = cur.category
    AND prev.month = cur.month - INTERVAL 1 MONTH;
