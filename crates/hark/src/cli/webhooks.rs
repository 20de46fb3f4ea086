//! `hark admin …-webhook…`: the webhook endpoint operations, flattened into
//! [`super::AdminCommand`]. Values are parsed here as far as a flag alone allows (the kind);
//! the URL, the event types and the filter are checked together by the command, so that one
//! run reports every problem.

use clap::Subcommand;
use hark_core::webhooks::EndpointKind;

/// The webhook endpoint operations; each prints JSON on stdout.
#[derive(Debug, Subcommand)]
pub enum WebhookCommand {
    /// Create a webhook endpoint of a project; prints it with its signing secret (`whsec_…`,
    /// shown only now).
    CreateWebhook {
        /// The project's id.
        #[arg(long, value_name = "ID")]
        project: String,
        /// Where events are posted: http(s), not a private or loopback address unless
        /// `webhooks.allow_private_networks`.
        #[arg(long)]
        url: String,
        /// Event types, comma-separated, e.g. `feedback.analyzed,theme.rising`.
        #[arg(long, value_name = "TYPES", required = true, value_delimiter = ',')]
        events: Vec<String>,
        /// `standard` (signed JSON) or `slack` (a Slack incoming-webhook URL).
        #[arg(long, value_name = "KIND", default_value = "standard", value_parser = parse_kind)]
        kind: EndpointKind,
        /// Which events of those types, as the API's `filter` object, e.g.
        /// `{"categories":["bug"],"min_mentions":3}`.
        #[arg(long, value_name = "JSON")]
        filter_json: Option<String>,
        /// A note for people.
        #[arg(long, value_name = "TEXT")]
        description: Option<String>,
    },
    /// List the webhook endpoints of a project (without secrets).
    ListWebhooks {
        /// The project's id.
        #[arg(long, value_name = "ID")]
        project: String,
    },
    /// Delete a webhook endpoint with its deliveries.
    DeleteWebhook {
        /// The project's id.
        #[arg(long, value_name = "ID")]
        project: String,
        /// The endpoint's id (`whk_…`).
        #[arg(long, value_name = "ID")]
        webhook: String,
    },
    /// Give a webhook endpoint a new signing secret (shown only now); the previous one keeps
    /// signing beside it for 24 hours.
    RotateWebhookSecret {
        /// The project's id.
        #[arg(long, value_name = "ID")]
        project: String,
        /// The endpoint's id (`whk_…`).
        #[arg(long, value_name = "ID")]
        webhook: String,
    },
    /// Enable a webhook endpoint (also clears a failing or disabled state).
    EnableWebhook {
        /// The project's id.
        #[arg(long, value_name = "ID")]
        project: String,
        /// The endpoint's id (`whk_…`).
        #[arg(long, value_name = "ID")]
        webhook: String,
    },
    /// Disable a webhook endpoint: no deliveries until it is enabled again.
    DisableWebhook {
        /// The project's id.
        #[arg(long, value_name = "ID")]
        project: String,
        /// The endpoint's id (`whk_…`).
        #[arg(long, value_name = "ID")]
        webhook: String,
    },
}

fn parse_kind(s: &str) -> Result<EndpointKind, String> {
    EndpointKind::parse(s).ok_or_else(|| "must be standard or slack".to_string())
}
