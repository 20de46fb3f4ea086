//! Webhooks: endpoints, the events hark pushes to them, and their deliveries. The store writes
//! events to an outbox in the transaction of the change that causes them; `hark-webhooks`
//! delivers them.

mod delivery;
mod endpoint;
mod event;

pub use delivery::{Attempt, AttemptResult, ClaimedDelivery, Delivery, DeliveryStatus};
pub use endpoint::{
    Endpoint, EndpointFilter, EndpointKind, EndpointState, SealedSecrets, DEFAULT_GROWTH_THRESHOLD,
    DEFAULT_USEFUL_RATE_BELOW,
};
pub use event::{
    ChatFeedbackEvent, ChatQualityDropped, EventFacts, EventType, FeedbackAnalyzed, OutboxEvent,
    ThemeChange, ThemeEvent, ThemeRef, ThemeRising,
};
