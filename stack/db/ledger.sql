-- The reference stack's double-entry ledger and idempotency records. Applied once on the primary at
-- bootstrap (stack/db/ledger-schema.ts) after control.sql; replicates to the standbys like any table.
-- Amounts are integer minor units. Entries are signed: negative debits, positive credits.

CREATE TABLE IF NOT EXISTS accounts (
  id       text    PRIMARY KEY,
  currency text    NOT NULL,
  balance  bigint  NOT NULL,
  -- system accounts (`@funding`) may go negative; customer accounts may not
  system   boolean NOT NULL DEFAULT false
);

CREATE TABLE IF NOT EXISTS transactions (
  seq             bigserial   UNIQUE,
  id              text        PRIMARY KEY,
  -- NULL for system transactions (the initial funding). Deliberately not unique here: the uniqueness
  -- of a key lives in idempotency_keys, so the seeded idempotency bugs can show up as duplicates.
  idempotency_key text,
  from_account    text,
  to_account      text,
  amount          bigint,
  currency        text        NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX IF NOT EXISTS transactions_idempotency_key ON transactions (idempotency_key);

CREATE TABLE IF NOT EXISTS entries (
  seq            bigserial PRIMARY KEY,
  transaction_id text      NOT NULL REFERENCES transactions (id),
  account        text      NOT NULL REFERENCES accounts (id),
  amount         bigint    NOT NULL,
  currency       text      NOT NULL
);
CREATE INDEX IF NOT EXISTS entries_transaction ON entries (transaction_id);

-- One record per Idempotency-Key: the payload hash and the stored response (outcome + JSON body).
-- Kept at least 24 h (nothing deletes them during a run).
CREATE TABLE IF NOT EXISTS idempotency_keys (
  key            text        PRIMARY KEY,
  payload_hash   text        NOT NULL,
  outcome        text        NOT NULL, -- succeeded | declined | invalid
  body           text        NOT NULL,
  transaction_id text,
  created_at     timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE OR REPLACE FUNCTION chaosbank_iso(ts timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;

CREATE OR REPLACE FUNCTION chaosbank_error_body(kind text, message text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT json_build_object('error', json_build_object('type', kind, 'message', message))::text
$$;

-- One payment in one round trip. Returns the outcome (succeeded | declined | invalid | mismatch |
-- in_flight), the JSON body, whether it is a replay of a stored response, and the transaction id.
--   p_mode 'locked'            correct: per-key advisory lock (busy -> in_flight), look up the record,
--                              execute, insert the record, all in this one transaction;
--   p_mode 'check-then-insert' seeded bug idempotency-race: look up without a lock, insert at the end;
--   p_mode 'check-only'        seeded bug idempotency-outside-tx: look up, never write the record
--                              (the API writes it later with chaosbank_store_response);
--   p_mode 'none'              seeded bug local-idempotency-cache: no lookup, insert at the end.
--   p_fencing false            seeded bug no-fencing; p_overdraft_check false: no-overdraft-check;
--   p_split true               seeded bug split-debit-credit: only the debit side here, the credit
--                              comes in a second transaction (chaosbank_credit).
CREATE OR REPLACE FUNCTION chaosbank_pay(
  p_key text, p_hash text, p_from text, p_to text, p_amount bigint, p_currency text,
  p_epoch bigint, p_fencing boolean, p_overdraft_check boolean, p_mode text, p_split boolean)
RETURNS TABLE (outcome text, body text, replayed boolean, transaction_id text)
LANGUAGE plpgsql AS $$
DECLARE
  rec idempotency_keys%ROWTYPE;
  src accounts%ROWTYPE;
  dst accounts%ROWTYPE;
  v_outcome text;
  v_body text;
  v_txn text;
  v_at timestamptz;
BEGIN
  IF p_fencing THEN
    PERFORM chaosbank_assert_writable(p_epoch);
  END IF;

  IF p_mode = 'locked' AND NOT pg_try_advisory_xact_lock(hashtextextended(p_key, 0)) THEN
    RETURN QUERY SELECT 'in_flight'::text, NULL::text, false, NULL::text;
    RETURN;
  END IF;
  IF p_mode <> 'none' THEN
    SELECT * INTO rec FROM idempotency_keys k WHERE k.key = p_key;
    IF FOUND THEN
      IF rec.payload_hash <> p_hash THEN
        RETURN QUERY SELECT 'mismatch'::text, NULL::text, false, NULL::text;
      ELSE
        RETURN QUERY SELECT rec.outcome, rec.body, true, rec.transaction_id;
      END IF;
      RETURN;
    END IF;
  END IF;
  -- Seeded bug idempotency-race: widen the window between the unlocked look-up and the insert, so that
  -- concurrent requests with one key reliably all pass the look-up (the race made reproducible).
  IF p_mode = 'check-then-insert' THEN
    PERFORM pg_sleep(0.02);
  END IF;

  -- lock both accounts in id order so opposite payments cannot deadlock
  PERFORM 1 FROM accounts a WHERE a.id IN (p_from, p_to) ORDER BY a.id FOR UPDATE;
  SELECT * INTO src FROM accounts a WHERE a.id = p_from;
  SELECT * INTO dst FROM accounts a WHERE a.id = p_to;

  IF src.id IS NULL OR dst.id IS NULL OR src.system OR dst.system THEN
    v_outcome := 'invalid';
    v_body := chaosbank_error_body('unknown_account',
      format('account %s does not exist', CASE WHEN src.id IS NULL OR src.system THEN p_from ELSE p_to END));
  ELSIF src.currency <> p_currency OR dst.currency <> p_currency THEN
    v_outcome := 'invalid';
    v_body := chaosbank_error_body('currency_mismatch',
      format('accounts %s and %s hold %s and %s, not %s', p_from, p_to, src.currency, dst.currency, p_currency));
  ELSIF p_overdraft_check AND src.balance < p_amount THEN
    v_outcome := 'declined';
    v_body := chaosbank_error_body('insufficient_funds',
      format('account %s has insufficient funds for %s %s', p_from, p_amount, p_currency));
  ELSE
    v_txn := 'pay_' || replace(gen_random_uuid()::text, '-', '');
    v_at := clock_timestamp();
    INSERT INTO transactions (id, idempotency_key, from_account, to_account, amount, currency, created_at)
      VALUES (v_txn, p_key, p_from, p_to, p_amount, p_currency, v_at);
    INSERT INTO entries (transaction_id, account, amount, currency) VALUES (v_txn, p_from, -p_amount, p_currency);
    UPDATE accounts a SET balance = a.balance - p_amount WHERE a.id = p_from;
    IF NOT p_split THEN
      INSERT INTO entries (transaction_id, account, amount, currency) VALUES (v_txn, p_to, p_amount, p_currency);
      UPDATE accounts a SET balance = a.balance + p_amount WHERE a.id = p_to;
    END IF;
    v_outcome := 'succeeded';
    v_body := json_build_object('id', v_txn, 'from', p_from, 'to', p_to, 'amount', p_amount,
      'currency', p_currency, 'status', 'succeeded', 'created_at', chaosbank_iso(v_at),
      'idempotency_key', p_key)::text;
  END IF;

  IF p_mode = 'locked' THEN
    -- a plain insert: if anything ever bypassed the lock, the primary key aborts this transaction
    INSERT INTO idempotency_keys (key, payload_hash, outcome, body, transaction_id)
      VALUES (p_key, p_hash, v_outcome, v_body, v_txn);
  ELSIF p_mode <> 'check-only' THEN
    INSERT INTO idempotency_keys (key, payload_hash, outcome, body, transaction_id)
      VALUES (p_key, p_hash, v_outcome, v_body, v_txn) ON CONFLICT DO NOTHING;
  END IF;
  RETURN QUERY SELECT v_outcome, v_body, false, v_txn;
END;
$$;

-- Seeded bug idempotency-outside-tx: the record written in its own, later transaction.
CREATE OR REPLACE FUNCTION chaosbank_store_response(
  p_key text, p_hash text, p_outcome text, p_body text, p_txn text) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO idempotency_keys (key, payload_hash, outcome, body, transaction_id)
    VALUES (p_key, p_hash, p_outcome, p_body, p_txn) ON CONFLICT DO NOTHING
$$;

-- Seeded bug split-debit-credit: the credit side of a payment, in its own transaction.
CREATE OR REPLACE FUNCTION chaosbank_credit(
  p_epoch bigint, p_fencing boolean, p_txn text, p_to text, p_amount bigint, p_currency text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF p_fencing THEN
    PERFORM chaosbank_assert_writable(p_epoch);
  END IF;
  INSERT INTO entries (transaction_id, account, amount, currency) VALUES (p_txn, p_to, p_amount, p_currency);
  UPDATE accounts SET balance = balance + p_amount WHERE id = p_to;
END;
$$;
