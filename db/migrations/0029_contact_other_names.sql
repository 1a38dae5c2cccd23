-- R-CUST-58 (issue #3, two-letter searches at 1M customers): the contacts whose names hold
-- a character other than a common ideograph, for a term holding a Latin letter or digit to
-- probe instead of every contact of each walked customer. See the dialect files: the
-- predicate is written in each dialect's pattern syntax.
SELECT 1;
