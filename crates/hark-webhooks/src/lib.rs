//! Webhook delivery for hark, the parts that need no database.
//!
//! hark pushes events to other systems per the [Standard Webhooks] specification:
//!
//! - [`signing`]: the `whsec_…` secret and the `webhook-signature` header (HMAC-SHA256);
//! - [`schedule`]: when a failed delivery is tried again, and when an endpoint is given up on;
//! - [`event`]: the `{"type","timestamp","data"}` body, an example of each event type (the
//!   types and their data are `hark_core::webhooks`');
//! - [`address`]: which IP addresses an endpoint may not reach (SSRF protection);
//! - [`endpoint_url`]: which endpoint URLs are accepted, checked at creation and at delivery;
//! - [`manage`]: what the API, the dashboard and the CLI share: URL checks, sealing, rotation,
//!   the test event;
//! - [`client`]: one HTTP delivery attempt and its verdict (addresses checked at connect time);
//! - [`slack`]: the message body for Slack incoming-webhook endpoints.
//!
//! - [`watch`]: the events found by looking at the data (rising themes, useful rate drops);
//! - [`worker`]: the delivery loop of every node, over the store's outbox (endpoints and the
//!   outbox itself are the store's: `hark_store::WebhookStore`).
//!
//! [Standard Webhooks]: https://www.standardwebhooks.com/

pub mod address;
pub mod client;
pub mod endpoint_url;
pub mod event;
pub mod manage;
mod resolver;
pub mod schedule;
pub mod signing;
pub mod slack;
pub mod watch;
pub mod worker;

pub use client::{AttemptOutcome, Deliverer, DeliveryConfig, Refusal, RetryReason, Verdict};
pub use endpoint_url::{check_url, parse_url, UrlError};
pub use event::{generate_message_id, Event, EventType};
pub use schedule::RetrySchedule;
pub use signing::{sign, signature_header, verify, webhook_headers, SecretError, WebhookSecret};
pub use slack::SlackMessage;
pub use watch::Watcher;
pub use worker::{Observer, Outcome, Worker, WorkerConfig};
