CREATE SEQUENCE invoice_numbers START 1000 CACHE 1;
CREATE SEQUENCE old_ticket_numbers;
CREATE TABLE invoices (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    number bigint NOT NULL DEFAULT nextval('invoice_numbers'),
    ticket bigint
);
INSERT INTO invoices (ticket) SELECT n FROM generate_series(1, 200) AS n;
