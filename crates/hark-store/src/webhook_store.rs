//! The storage contract of webhooks, a supertrait of [`crate::Store`]: endpoints, and the
//! outbox of deliveries.
//!
//! Events caused by a write (an item analysed, a theme found, renamed, merged or deleted, chat
//! feedback stored) are written by the backend **in the transaction of that write**, one
//! delivery per endpoint that wants them: a rolled-back write emits nothing, a committed one
//! loses nothing. Events found by looking at the data (rising themes, a useful rate dropping)
//! come through [`WebhookStore::emit_events`], with a once-key so that each is delivered once
//! per endpoint however many nodes find it. Workers on any node claim due deliveries with a
//! lease ([`WebhookStore::claim_deliveries`]; `FOR UPDATE SKIP LOCKED` on PostgreSQL), so each
//! attempt is made by one node; a worker that dies leaves its claims to be taken again when
//! their lease ends (at least once).

use crate::StoreError;
use async_trait::async_trait;
use hark_core::webhooks::{
    Attempt, AttemptResult, ClaimedDelivery, Delivery, Endpoint, EventType, OutboxEvent,
};
use hark_core::{EndpointId, ProjectId, Timestamp};

/// How many deliveries a claim takes at most, and how many may be in flight per endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClaimLimits {
    /// Deliveries claimed by one call.
    pub batch: u32,
    /// Deliveries of one endpoint in flight at once (claimed, lease not ended).
    pub per_endpoint: u32,
}

/// Endpoints and the outbox.
#[async_trait]
pub trait WebhookStore: Send + Sync + 'static {
    /// Stores a new endpoint with its sealed signing secret; `NotFound("project")` when the
    /// project does not exist.
    async fn insert_endpoint(&self, endpoint: &Endpoint, secret: &[u8]) -> Result<(), StoreError>;
    /// The project's endpoints, oldest first.
    async fn list_endpoints(&self, project: &ProjectId) -> Result<Vec<Endpoint>, StoreError>;
    /// One endpoint of the project; `None` if there is none or it is another project's.
    async fn endpoint(
        &self,
        project: &ProjectId,
        id: &EndpointId,
    ) -> Result<Option<Endpoint>, StoreError>;
    /// Replaces the endpoint's URL, kind, events, filter, description and state (a person
    /// enabling or disabling it); `NotFound("endpoint")` if the project has no such endpoint.
    /// Enabling clears `failing_since` and `disabled_reason`.
    async fn update_endpoint(&self, endpoint: &Endpoint) -> Result<(), StoreError>;
    /// Deletes the endpoint with its deliveries; false if the project has no such endpoint.
    async fn delete_endpoint(
        &self,
        project: &ProjectId,
        id: &EndpointId,
    ) -> Result<bool, StoreError>;
    /// Makes `secret` the endpoint's signing secret; the current one is still used beside it
    /// until `previous_until`. `NotFound("endpoint")` if the project has no such endpoint.
    async fn rotate_endpoint_secret(
        &self,
        project: &ProjectId,
        id: &EndpointId,
        secret: &[u8],
        previous_until: Timestamp,
    ) -> Result<(), StoreError>;
    /// Endpoints of every project subscribed to `event_type` and not disabled (for the events
    /// found by looking at the data).
    async fn endpoints_for(&self, event_type: EventType) -> Result<Vec<Endpoint>, StoreError>;
    /// Writes `events` of the project to the outbox for each endpoint that wants them (only
    /// `to`, when given: a test send); an endpoint that already got an event with the same
    /// once-key gets no other. Returns the deliveries created.
    async fn emit_events(
        &self,
        project: &ProjectId,
        events: Vec<OutboxEvent>,
        to: Option<&EndpointId>,
    ) -> Result<u64, StoreError>;
    /// Claims up to `limits.batch` pending deliveries due at `now` of endpoints not disabled,
    /// no endpoint having more than `limits.per_endpoint` in flight, until `lease_until`.
    async fn claim_deliveries(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limits: ClaimLimits,
    ) -> Result<Vec<ClaimedDelivery>, StoreError>;
    /// Records an attempt of a claimed delivery and what follows from it (delivered, retry at,
    /// give up, disable the endpoint). Marks the endpoint failing on a failure (from then on)
    /// and enabled again on a success.
    async fn finish_attempt(
        &self,
        delivery: i64,
        attempt: &Attempt,
        result: AttemptResult,
    ) -> Result<(), StoreError>;
    /// The endpoint's deliveries, newest first, with ids below `before`.
    async fn list_deliveries(
        &self,
        project: &ProjectId,
        endpoint: &EndpointId,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Delivery>, StoreError>;
    /// One delivery of the project with its attempts, oldest first.
    async fn delivery(
        &self,
        project: &ProjectId,
        id: i64,
    ) -> Result<Option<(Delivery, Vec<Attempt>)>, StoreError>;
    /// Makes a delivery of the project pending again, due now, with the same event id; false
    /// if there is none.
    async fn resend_delivery(&self, project: &ProjectId, id: i64) -> Result<bool, StoreError>;
    /// Pending deliveries, all projects (the outbox depth).
    async fn pending_deliveries(&self) -> Result<u64, StoreError>;
}
