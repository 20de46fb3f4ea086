//! [`WebhookStore`] for [`PgStore`]: endpoints ([`endpoints`]) and the outbox ([`outbox`]);
//! the outbox is also written by the writes that cause events, inside their transaction.

pub(crate) mod causes;
pub(crate) mod endpoints;
pub(crate) mod outbox;

use crate::PgStore;
use async_trait::async_trait;
use hark_core::webhooks::{
    Attempt, AttemptResult, ClaimedDelivery, Delivery, Endpoint, EventType, OutboxEvent,
};
use hark_core::{EndpointId, ProjectId, Timestamp};
use hark_store::{ClaimLimits, StoreError, WebhookStore};

#[async_trait]
impl WebhookStore for PgStore {
    async fn insert_endpoint(&self, endpoint: &Endpoint, secret: &[u8]) -> Result<(), StoreError> {
        Ok(endpoints::insert(&self.client().await?, endpoint, secret).await?)
    }

    async fn list_endpoints(&self, project: &ProjectId) -> Result<Vec<Endpoint>, StoreError> {
        Ok(endpoints::list(&self.client().await?, project).await?)
    }

    async fn endpoint(
        &self,
        project: &ProjectId,
        id: &EndpointId,
    ) -> Result<Option<Endpoint>, StoreError> {
        Ok(endpoints::get(&self.client().await?, project, id).await?)
    }

    async fn update_endpoint(&self, endpoint: &Endpoint) -> Result<(), StoreError> {
        Ok(endpoints::update(&self.client().await?, endpoint, Timestamp::now()).await?)
    }

    async fn delete_endpoint(
        &self,
        project: &ProjectId,
        id: &EndpointId,
    ) -> Result<bool, StoreError> {
        Ok(endpoints::delete(&self.client().await?, project, id).await?)
    }

    async fn rotate_endpoint_secret(
        &self,
        project: &ProjectId,
        id: &EndpointId,
        secret: &[u8],
        previous_until: Timestamp,
    ) -> Result<(), StoreError> {
        let c = self.client().await?;
        Ok(
            endpoints::rotate_secret(&c, project, id, secret, previous_until, Timestamp::now())
                .await?,
        )
    }

    async fn endpoints_for(&self, event_type: EventType) -> Result<Vec<Endpoint>, StoreError> {
        Ok(endpoints::subscribed(&self.client().await?, event_type).await?)
    }

    async fn emit_events(
        &self,
        project: &ProjectId,
        events: Vec<OutboxEvent>,
        to: Option<&EndpointId>,
    ) -> Result<u64, StoreError> {
        in_tx!(self, |tx| outbox::emit(&tx, project, &events, to).await)
    }

    async fn claim_deliveries(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limits: ClaimLimits,
    ) -> Result<Vec<ClaimedDelivery>, StoreError> {
        in_tx!(self, |tx| outbox::claim(&tx, now, lease_until, limits)
            .await)
    }

    async fn finish_attempt(
        &self,
        delivery: i64,
        attempt: &Attempt,
        result: AttemptResult,
    ) -> Result<(), StoreError> {
        let now = Timestamp::now();
        in_tx!(self, |tx| outbox::finish(
            &tx, delivery, attempt, &result, now
        )
        .await)
    }

    async fn list_deliveries(
        &self,
        project: &ProjectId,
        endpoint: &EndpointId,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Delivery>, StoreError> {
        Ok(outbox::list(&self.client().await?, project, endpoint, before, limit).await?)
    }

    async fn delivery(
        &self,
        project: &ProjectId,
        id: i64,
    ) -> Result<Option<(Delivery, Vec<Attempt>)>, StoreError> {
        Ok(outbox::get(&self.client().await?, project, id).await?)
    }

    async fn resend_delivery(&self, project: &ProjectId, id: i64) -> Result<bool, StoreError> {
        Ok(outbox::resend(&self.client().await?, project, id, Timestamp::now()).await?)
    }

    async fn pending_deliveries(&self) -> Result<u64, StoreError> {
        Ok(outbox::pending(&self.client().await?).await?)
    }
}
