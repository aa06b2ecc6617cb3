-- The preference card's rewrite, in the shapes the engine has had, on a card of N rows:
--   psql -v n=20000 -f tools/bench_card_diff.sql
-- Each shape runs twice on a table whose statistics say it holds no row in its pages, as
-- ANALYZE leaves it after a first build rolled back (a recompute killed by the cron's time
-- limit) and until autovacuum next passes: the first build (N rows inserted), then the next
-- night, the same card again (nothing to write).
-- (The first shape, NOT EXISTS over the table being filled, rescanned on a first build the
-- rows it inserted: tools/bench_first_card.sql, in the history of 82ab111.)
-- 1. NOT EXISTS over the card as it was, read once: the first build is linear, but the next
--    night's DELETE of the rows left out, planned as a nested loop over the new card for
--    each row the statistics say is not there, is N².
-- 2. Now: one FULL JOIN of the new card and the old one, which PostgreSQL runs only as a
--    hash or merge join: linear both nights, whatever the statistics.
\timing on
CREATE TEMP TABLE card (id serial PRIMARY KEY, partner_id int, company_id int, kind varchar,
                        product_id int, category_id int, rank int, purchase_count int);
CREATE INDEX ON card (partner_id);
CREATE TEMP TABLE new_card AS
SELECT g AS partner_id, 'product'::varchar AS kind, g % 50 AS product_id, NULL::int AS category_id,
       1 AS rank, 3 AS days FROM generate_series(1, :n) g;
ANALYZE new_card;
-- an empty card table of N rows' pages, analyzed: a first build rolled back
\set stale /tmp/bench_card_diff_stale.sql
\o /tmp/bench_card_diff_stale.sql
\qecho 'TRUNCATE card; BEGIN; INSERT INTO card (partner_id) SELECT partner_id FROM new_card; ROLLBACK; ANALYZE card;'
\o

\echo '1. NOT EXISTS over the card as it was, read once: first build, then the next night'
\i :stale
\set shape2 'WITH existing AS MATERIALIZED (SELECT partner_id, kind, product_id, category_id, rank, purchase_count FROM card WHERE company_id = 1), cleared AS (DELETE FROM card p WHERE p.company_id = 1 AND NOT EXISTS (SELECT 1 FROM new_card c WHERE c.partner_id = p.partner_id AND c.kind = p.kind AND c.rank = p.rank AND c.days = p.purchase_count AND COALESCE(c.product_id, 0) = COALESCE(p.product_id, 0) AND COALESCE(c.category_id, 0) = COALESCE(p.category_id, 0))) INSERT INTO card (partner_id, company_id, kind, product_id, category_id, rank, purchase_count) SELECT c.partner_id, 1, c.kind, c.product_id, c.category_id, c.rank, c.days FROM new_card c WHERE NOT EXISTS (SELECT 1 FROM existing p WHERE c.partner_id = p.partner_id AND c.kind = p.kind AND c.rank = p.rank AND c.days = p.purchase_count AND COALESCE(c.product_id, 0) = COALESCE(p.product_id, 0) AND COALESCE(c.category_id, 0) = COALESCE(p.category_id, 0))'
:shape2;
:shape2;

\echo '2. Now, one FULL JOIN: first build, then the next night'
\i :stale
\set shape3 'WITH diff AS MATERIALIZED (SELECT c.partner_id, c.kind, c.product_id, c.category_id, c.rank, c.days, p.id AS old_id, c.partner_id IS NULL AS gone FROM new_card c FULL JOIN (SELECT * FROM card WHERE company_id = 1) p ON c.partner_id = p.partner_id AND c.kind = p.kind AND c.rank = p.rank AND c.days = p.purchase_count AND COALESCE(c.product_id, 0) = COALESCE(p.product_id, 0) AND COALESCE(c.category_id, 0) = COALESCE(p.category_id, 0)), cleared AS (DELETE FROM card WHERE id IN (SELECT old_id FROM diff WHERE gone)) INSERT INTO card (partner_id, company_id, kind, product_id, category_id, rank, purchase_count) SELECT partner_id, 1, kind, product_id, category_id, rank, days FROM diff WHERE old_id IS NULL'
:shape3;
:shape3;
SELECT count(*) AS card_rows FROM card;
