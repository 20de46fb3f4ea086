//! [`WebhookStore`] for [`SqliteStore`]: endpoints ([`endpoints`]) and the outbox
//! ([`outbox`]); the outbox is also written by the writes that cause events, inside their
//! transaction (analysis, themes, chat feedback).

pub(crate) mod causes;
pub(crate) mod endpoints;
pub(crate) mod outbox;

use crate::SqliteStore;
use async_trait::async_trait;
use hark_core::webhooks::{
    Attempt, AttemptResult, ClaimedDelivery, Delivery, Endpoint, EventType, OutboxEvent,
};
use hark_core::{EndpointId, ProjectId, Timestamp};
use hark_store::{ClaimLimits, StoreError, WebhookStore};

#[async_trait]
impl WebhookStore for SqliteStore {
    async fn insert_endpoint(&self, endpoint: &Endpoint, secret: &[u8]) -> Result<(), StoreError> {
        let (e, s) = (endpoint.clone(), secret.to_vec());
        self.writer
            .write(1, move |c| endpoints::insert(c, &e, &s))
            .await
    }

    async fn list_endpoints(&self, project: &ProjectId) -> Result<Vec<Endpoint>, StoreError> {
        let p = project.clone();
        self.readers.read(move |c| endpoints::list(c, &p)).await
    }

    async fn endpoint(
        &self,
        project: &ProjectId,
        id: &EndpointId,
    ) -> Result<Option<Endpoint>, StoreError> {
        let (p, id) = (project.clone(), id.clone());
        self.readers.read(move |c| endpoints::get(c, &p, &id)).await
    }

    async fn update_endpoint(&self, endpoint: &Endpoint) -> Result<(), StoreError> {
        let (e, now) = (endpoint.clone(), Timestamp::now());
        self.writer
            .write(1, move |c| endpoints::update(c, &e, now))
            .await
    }

    async fn delete_endpoint(
        &self,
        project: &ProjectId,
        id: &EndpointId,
    ) -> Result<bool, StoreError> {
        let (p, id) = (project.clone(), id.clone());
        self.writer
            .write(1, move |c| endpoints::delete(c, &p, &id))
            .await
    }

    async fn rotate_endpoint_secret(
        &self,
        project: &ProjectId,
        id: &EndpointId,
        secret: &[u8],
        previous_until: Timestamp,
    ) -> Result<(), StoreError> {
        let (p, id, s, now) = (
            project.clone(),
            id.clone(),
            secret.to_vec(),
            Timestamp::now(),
        );
        self.writer
            .write(1, move |c| {
                endpoints::rotate_secret(c, &p, &id, &s, previous_until, now)
            })
            .await
    }

    async fn endpoints_for(&self, event_type: EventType) -> Result<Vec<Endpoint>, StoreError> {
        self.readers
            .read(move |c| endpoints::subscribed(c, event_type))
            .await
    }

    async fn emit_events(
        &self,
        project: &ProjectId,
        events: Vec<OutboxEvent>,
        to: Option<&EndpointId>,
    ) -> Result<u64, StoreError> {
        let (p, to) = (project.clone(), to.cloned());
        self.writer
            .write(events.len().max(1), move |c| {
                outbox::emit(c, &p, &events, to.as_ref())
            })
            .await
    }

    async fn claim_deliveries(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limits: ClaimLimits,
    ) -> Result<Vec<ClaimedDelivery>, StoreError> {
        self.writer
            .write(limits.batch as usize, move |c| {
                outbox::claim(c, now, lease_until, limits)
            })
            .await
    }

    async fn finish_attempt(
        &self,
        delivery: i64,
        attempt: &Attempt,
        result: AttemptResult,
    ) -> Result<(), StoreError> {
        let (a, now) = (attempt.clone(), Timestamp::now());
        self.writer
            .write(1, move |c| outbox::finish(c, delivery, &a, &result, now))
            .await
    }

    async fn list_deliveries(
        &self,
        project: &ProjectId,
        endpoint: &EndpointId,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Delivery>, StoreError> {
        let (p, e) = (project.clone(), endpoint.clone());
        self.readers
            .read(move |c| outbox::list(c, &p, &e, before, limit))
            .await
    }

    async fn delivery(
        &self,
        project: &ProjectId,
        id: i64,
    ) -> Result<Option<(Delivery, Vec<Attempt>)>, StoreError> {
        let p = project.clone();
        self.readers.read(move |c| outbox::get(c, &p, id)).await
    }

    async fn resend_delivery(&self, project: &ProjectId, id: i64) -> Result<bool, StoreError> {
        let (p, now) = (project.clone(), Timestamp::now());
        self.writer
            .write(1, move |c| outbox::resend(c, &p, id, now))
            .await
    }

    async fn pending_deliveries(&self) -> Result<u64, StoreError> {
        self.readers.read(outbox::pending).await
    }
}
