CREATE TABLE scores (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    player text NOT NULL,
    points integer
);
CREATE VIEW top_scores AS SELECT player, points FROM scores WHERE points > 100;
CREATE MATERIALIZED VIEW score_totals AS SELECT player, sum(points) AS total FROM scores GROUP BY player;
INSERT INTO scores (player, points)
SELECT 'player ' || (n % 20), CASE WHEN n % 9 = 0 THEN NULL ELSE n * 3 END FROM generate_series(1, 300) AS n;
