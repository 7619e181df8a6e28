CREATE TABLE bookings (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    room text NOT NULL,
    during tstzrange NOT NULL
);
-- Back-to-back bookings, none overlapping.
INSERT INTO bookings (room, during)
SELECT 'room ' || (n % 5), tstzrange(timestamptz '2024-01-01' + n * interval '1 hour', timestamptz '2024-01-01' + (n + 1) * interval '1 hour')
FROM generate_series(1, 200) AS n;
