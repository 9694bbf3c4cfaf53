-- The four marts of SPEC §6, with the columns and types of their gold tables
-- (contracts/gold.py): DECIMAL money, DATETIME(6) for UTC timestamps, the grain as
-- primary key. InnoDB, so a month is replaced in one transaction.

CREATE TABLE customer_monthly_sales (
    month DATE NOT NULL COMMENT 'First day of the month.',
    customer_id VARCHAR(64) NOT NULL,
    orders_count BIGINT NOT NULL COMMENT 'Distinct orders in the month.',
    units BIGINT NOT NULL COMMENT 'Units bought in the month.',
    total_net_usd DECIMAL(16, 2) NULL COMMENT 'USD spend in the month (orders without FX left out).',
    first_order_ts DATETIME(6) NOT NULL COMMENT 'First order of the month (UTC).',
    last_order_ts DATETIME(6) NOT NULL COMMENT 'Last order of the month (UTC).',
    PRIMARY KEY (month, customer_id)
) ENGINE = InnoDB COMMENT = 'Monthly orders, units and USD spend per customer (gold/customer_monthly_sales).';

CREATE TABLE sales_team_monthly (
    month DATE NOT NULL COMMENT 'First day of the month.',
    store_id VARCHAR(64) NOT NULL,
    sales_person_id VARCHAR(64) NOT NULL,
    orders_count BIGINT NOT NULL COMMENT 'Distinct orders in the month and store.',
    total_net_usd DECIMAL(14, 2) NULL COMMENT 'USD sales in the month and store.',
    rank_in_store INT NOT NULL COMMENT '1 = highest total_net_usd in the store; ties to the lower id.',
    is_top_performer BOOLEAN NOT NULL COMMENT 'rank_in_store = 1.',
    incentive_usd DECIMAL(14, 2) NOT NULL COMMENT 'The top performer''s incentive; 0.00 for everyone else.',
    PRIMARY KEY (month, store_id, sales_person_id)
) ENGINE = InnoDB COMMENT = 'Monthly sales per sales person and store (gold/sales_team_monthly).';

CREATE TABLE category_monthly_revenue (
    month DATE NOT NULL COMMENT 'First day of the month.',
    category VARCHAR(64) NOT NULL COMMENT 'Product category; UNKNOWN for an unknown product.',
    revenue_usd DECIMAL(14, 2) NULL COMMENT 'USD revenue (orders without FX left out).',
    units BIGINT NOT NULL,
    orders_count BIGINT NOT NULL,
    unique_customers BIGINT NOT NULL,
    PRIMARY KEY (month, category)
) ENGINE = InnoDB COMMENT = 'Monthly USD revenue, units, orders and customers per category (gold/category_monthly_revenue).';

CREATE TABLE customer_lifetime_value (
    customer_id VARCHAR(64) NOT NULL,
    total_spent_usd DECIMAL(16, 2) NULL COMMENT 'Lifetime USD spend (orders without FX left out).',
    orders_count BIGINT NOT NULL,
    avg_order_value_usd DECIMAL(14, 2) NULL COMMENT 'round(total_spent_usd / orders_count, 2).',
    first_order_date DATE NOT NULL,
    last_order_date DATE NOT NULL,
    segment VARCHAR(32) NOT NULL COMMENT 'VIP, High Value, Medium Value or Low Value.',
    PRIMARY KEY (customer_id)
) ENGINE = InnoDB COMMENT = 'Lifetime USD spend, orders, average order value and segment (gold/customer_lifetime_value).';
