-- R-CUST-48 (§2, issue #3 item 7): a customer's code in the company's other systems (the
-- ERP's or the accountant's customer number, 客户编码). Optional; when set it names one
-- customer, merged ones included (a merged customer keeps its code, and an import that
-- meets it goes to the survivor), so an import can match its rows to stored customers by
-- it. Partial: customers without a code, all of them before this migration, take no entry,
-- so adding the index reads the table once and an import of rows without codes writes
-- nothing more.
ALTER TABLE customers ADD COLUMN code TEXT;
CREATE UNIQUE INDEX customers_code ON customers (code) WHERE code IS NOT NULL;
