-- Cluster control row: which region's database is the primary at which epoch, and until when its lease
-- holds. The failover controller owns it (renews the lease on the primary every heartbeat, bumps the epoch
-- on promotion, sets `fenced` on a demoted primary). It replicates to every standby like any table.
CREATE TABLE IF NOT EXISTS chaosbank_control (
  id          int PRIMARY KEY DEFAULT 1 CHECK (id = 1),
  epoch       bigint      NOT NULL,
  region      text        NOT NULL,
  lease_until timestamptz NOT NULL,
  fenced      boolean     NOT NULL DEFAULT false
);

-- Every write transaction of the payments API calls this first (unless the `no-fencing` bug is on).
-- It fails when this database is a standby, fenced, at another epoch, or its lease has run out, so an
-- isolated old primary can never acknowledge a write after the controller may have promoted another.
-- FOR KEY SHARE, not FOR SHARE: it does not conflict with the controller's UPDATE of the (non-key) lease,
-- epoch and fenced columns, so a lease renewal or a fence never waits behind a write transaction (one
-- stuck waiting for a synchronous standby would otherwise block the renewal until the lease runs out).
CREATE OR REPLACE FUNCTION chaosbank_assert_writable(expected_epoch bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  c chaosbank_control%ROWTYPE;
BEGIN
  IF pg_is_in_recovery() THEN
    RAISE EXCEPTION 'database is a standby' USING ERRCODE = '25006';
  END IF;
  SELECT * INTO c FROM chaosbank_control WHERE id = 1 FOR KEY SHARE;
  IF NOT FOUND OR c.fenced OR c.epoch <> expected_epoch OR c.lease_until < clock_timestamp() THEN
    RAISE EXCEPTION 'database is fenced or its primary lease expired (epoch %, expected %)',
      coalesce(c.epoch, -1), expected_epoch USING ERRCODE = '25006';
  END IF;
END;
$$;
