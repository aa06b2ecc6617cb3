-- The preference card's insert, in the two shapes the engine has had, on N new card rows
-- into an empty, analyzed table (a first build): psql -v n=40000 -f tools/bench_first_card.sql
-- Before: NOT EXISTS over the table being filled, which the planner, seeing it empty, scans
-- again for every row inserted (its new tuples included): time grows with N².
-- Now: NOT EXISTS over the card as it was, read once (a MATERIALIZED CTE), on equalities a
-- hash can join: time grows with N.
\timing on
CREATE TEMP TABLE card_before (id serial PRIMARY KEY, partner_id int, company_id int, kind varchar,
                               product_id int, category_id int, rank int, purchase_count int);
CREATE TEMP TABLE card_now (LIKE card_before INCLUDING ALL);
CREATE INDEX ON card_before (partner_id);
CREATE INDEX ON card_now (partner_id);
ANALYZE card_before;
ANALYZE card_now;
\echo 'before:'
WITH card AS MATERIALIZED (SELECT g AS partner_id, 'product'::varchar AS kind, g % 50 AS product_id,
                                  NULL::int AS category_id, 1 AS rank, 3 AS days FROM generate_series(1, :n) g)
INSERT INTO card_before (partner_id, company_id, kind, product_id, category_id, rank, purchase_count)
SELECT c.partner_id, 1, c.kind, c.product_id, c.category_id, c.rank, c.days FROM card c
 WHERE NOT EXISTS (SELECT 1 FROM card_before p
                    WHERE p.company_id = 1 AND c.partner_id = p.partner_id AND c.kind = p.kind
                      AND c.rank = p.rank AND c.days = p.purchase_count
                      AND c.product_id IS NOT DISTINCT FROM p.product_id
                      AND c.category_id IS NOT DISTINCT FROM p.category_id);
\echo 'now:'
WITH card AS MATERIALIZED (SELECT g AS partner_id, 'product'::varchar AS kind, g % 50 AS product_id,
                                  NULL::int AS category_id, 1 AS rank, 3 AS days FROM generate_series(1, :n) g),
     existing AS MATERIALIZED (SELECT partner_id, kind, product_id, category_id, rank, purchase_count
                                 FROM card_now WHERE company_id = 1)
INSERT INTO card_now (partner_id, company_id, kind, product_id, category_id, rank, purchase_count)
SELECT c.partner_id, 1, c.kind, c.product_id, c.category_id, c.rank, c.days FROM card c
 WHERE NOT EXISTS (SELECT 1 FROM existing p
                    WHERE c.partner_id = p.partner_id AND c.kind = p.kind AND c.rank = p.rank
                      AND c.days = p.purchase_count AND COALESCE(c.product_id, 0) = COALESCE(p.product_id, 0)
                      AND COALESCE(c.category_id, 0) = COALESCE(p.category_id, 0));
