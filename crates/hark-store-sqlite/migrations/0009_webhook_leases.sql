-- 9: the deliveries in flight (claimed, lease held), indexed on their own: every claim counts
-- them per endpoint, and without this index that count read every delivery ever made
-- (measured by `hark-bench webhooks`: 5 ms per claim at 20,000 rows, growing with history).
-- Finished deliveries clear `lease_until`, so the index holds only the few in flight.
CREATE INDEX webhook_deliveries_leased ON webhook_deliveries (lease_until)
    WHERE status = 'pending' AND lease_until IS NOT NULL;
