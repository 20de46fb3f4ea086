//! The PutFeedback benchmark: SigV4-signed `PutFeedback` calls from many keep-alive
//! connections against a real `hark serve`, beside the raw rate of the store recording the
//! same feedback with no HTTP and no signatures (the baseline, same run).
//!
//! Requests are signed before the clock starts (an SDK's signing cost is the client's, not the
//! server's); the server verifies every signature. 10 % of the calls re-vote on an earlier
//! (message, user) to exercise the later-`submittedAt`-wins upsert.

use crate::drive::{drive, BenchError};
use crate::{server, stats};
use hark_core::chat::{
    ApplicationId, ConversationId, FeedbackInput, MessageId, MessageRef, MessageUsefulness,
    Usefulness, UsefulnessReason,
};
use hark_core::sigv4::{authorization_header, SignedRequest};
use hark_core::Timestamp;
use std::sync::Arc;
use std::time::Instant;

/// Options of `hark-bench put-feedback`.
#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// Calls per measurement.
    #[arg(long, default_value_t = 60_000)]
    requests: usize,
    /// Concurrent connections (e2e) and concurrent writers (raw).
    #[arg(long, default_value_t = 128)]
    connections: usize,
    /// Rounds; medians are reported.
    #[arg(long, default_value_t = 3)]
    rounds: usize,
}

type BenchResult<T> = Result<T, BenchError>;

/// A deterministic 36-character id (UUID layout) from a number.
fn id(kind: u8, n: usize) -> String {
    format!("{kind:08x}-0000-4000-8000-{n:012x}")
}

/// The `n`th call: (conversation, message, user, vote, submittedAt).
fn call(n: usize) -> (String, String, String, Usefulness, i64) {
    // Every 10th call re-votes on the message of call n - 5 by the same user, later.
    let target = if n % 10 == 9 { n - 5 } else { n };
    let vote = if n.is_multiple_of(3) {
        Usefulness::NotUseful
    } else {
        Usefulness::Useful
    };
    (
        id(1, target / 4),
        id(2, target),
        format!("user-{}", target % 1000),
        vote,
        1_714_979_289 + n as i64,
    )
}

fn body(vote: Usefulness, submitted: i64) -> Vec<u8> {
    let reason = if vote == Usefulness::NotUseful {
        "NOT_HELPFUL"
    } else {
        "HELPFUL"
    };
    format!(
        r#"{{"messageUsefulness":{{"usefulness":"{}","submittedAt":{submitted},"reason":"{reason}"}}}}"#,
        vote.as_str()
    )
    .into_bytes()
}

/// Runs the benchmark.
pub async fn run(args: Args, hark_bin: &std::path::Path) -> BenchResult<()> {
    println!(
        "hark-bench put-feedback: {} calls, {} connections, {} rounds, cores: {}",
        args.requests,
        args.connections,
        args.rounds,
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let mut rounds = stats::Rounds::default();
    for round in 1..=args.rounds {
        let raw = raw_round(&args).await?;
        rounds.push(round, "calls", raw, &e2e_round(&args, hark_bin).await?);
    }
    rounds.print_medians("calls");
    Ok(())
}

/// The raw rate: the same feedback straight into a fresh SQLite store.
async fn raw_round(args: &Args) -> BenchResult<f64> {
    let dir = tempfile::tempdir()?;
    let store: std::sync::Arc<dyn hark_store::Store> = std::sync::Arc::new(
        hark_store_sqlite::SqliteStore::open(
            dir.path().join("raw.db"),
            hark_store::StoreOptions::default(),
        )
        .await?,
    );
    let p = hark_store::create_project(store.as_ref(), "bench").await?;
    let project = p.project.project_id;
    let app = hark_store::create_application(store.as_ref(), &project, "bench", false).await?;
    let inputs: Arc<Vec<FeedbackInput>> = Arc::new(
        (0..args.requests)
            .map(|n| {
                let (conv, msg, user, vote, submitted) = call(n);
                Some(FeedbackInput {
                    message: MessageRef {
                        application_id: app.application_id.clone(),
                        conversation_id: ConversationId::parse(&conv)?,
                        message_id: MessageId::parse(&msg)?,
                    },
                    user_id: Some(user),
                    message_copied_at: None,
                    usefulness: Some(MessageUsefulness {
                        usefulness: vote,
                        reason: Some(if vote == Usefulness::NotUseful {
                            UsefulnessReason::NotHelpful
                        } else {
                            UsefulnessReason::Helpful
                        }),
                        comment: None,
                        submitted_at: Timestamp::from_micros(submitted * 1_000_000),
                    }),
                })
            })
            .collect::<Option<_>>()
            .ok_or("generated ids must be valid")?,
    );
    let (done, elapsed) = drive(args.connections, inputs, move |inputs, n| {
        let (store, project) = (store.clone(), project.clone());
        async move {
            store
                .put_feedback(&project, false, inputs[n].clone())
                .await?;
            Ok(())
        }
    })
    .await?;
    Ok(done.len() as f64 / elapsed.as_secs_f64())
}

/// One pre-signed call.
pub(crate) struct Signed {
    pub url: String,
    pub amz_date: String,
    pub authorization: String,
    pub body: Vec<u8>,
}

/// An application and an access key of the bench project, to sign calls with.
pub(crate) struct ChatCredentials {
    app: String,
    key_id: String,
    secret: String,
}

/// Registers an application named `bench` with `hark admin`; its id.
pub(crate) async fn create_app(srv: &server::HarkProcess) -> BenchResult<String> {
    let app = srv
        .admin(&[
            "create-app",
            "--project",
            &srv.project_id,
            "--name",
            "bench",
        ])
        .await?;
    Ok(app["application_id"]
        .as_str()
        .ok_or(format!("no application_id in {app}"))?
        .to_string())
}

impl ChatCredentials {
    /// Registers an application and issues an access key with `hark admin`.
    pub(crate) async fn issue(srv: &server::HarkProcess) -> BenchResult<Self> {
        let field = |v: &serde_json::Value, k: &str| -> BenchResult<String> {
            Ok(v[k].as_str().ok_or(format!("no {k} in {v}"))?.to_string())
        };
        let app = create_app(srv).await?;
        let _ = ApplicationId::parse(&app).ok_or("invalid application id")?;
        let key = srv
            .admin(&["create-access-key", "--project", &srv.project_id])
            .await?;
        Ok(Self {
            app,
            key_id: field(&key, "access_key_id")?,
            secret: field(&key, "secret_access_key")?,
        })
    }

    /// The `n`th call of [`call`], signed for `base_url` at `amz_date` (`%Y%m%dT%H%M%SZ`).
    pub(crate) fn sign(
        &self,
        base_url: &str,
        n: usize,
        amz_date: &str,
    ) -> Result<Signed, hark_core::sigv4::SigV4Error> {
        let host = base_url.trim_start_matches("http://");
        let (conv, msg, user, vote, submitted) = call(n);
        let app = &self.app;
        let path = format!("/applications/{app}/conversations/{conv}/messages/{msg}/feedback");
        let query = format!("userId={user}");
        let body = body(vote, submitted);
        let headers = vec![
            ("content-type".to_string(), "application/json".to_string()),
            ("host".to_string(), host.to_string()),
            ("x-amz-date".to_string(), amz_date.to_string()),
        ];
        let signed_headers: Vec<String> = ["content-type", "host", "x-amz-date"]
            .map(String::from)
            .to_vec();
        let req = SignedRequest {
            method: "POST",
            path: &path,
            query: Some(&query),
            headers: &headers,
            body: &body,
        };
        let authorization = authorization_header(
            &req,
            &signed_headers,
            amz_date,
            &self.key_id,
            &self.secret,
            "us-east-1",
            "qbusiness",
        )?;
        Ok(Signed {
            url: format!("{base_url}{path}?{query}"),
            amz_date: amz_date.to_string(),
            authorization,
            body,
        })
    }
}

/// The end-to-end rate and latencies against a real `hark serve`.
async fn e2e_round(args: &Args, hark_bin: &std::path::Path) -> BenchResult<stats::E2e> {
    let dir = tempfile::tempdir()?;
    let srv = server::HarkProcess::start(hark_bin, dir.path(), None).await?;
    let creds = ChatCredentials::issue(&srv).await?;
    let amz_date = chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
    let calls: Arc<Vec<Signed>> = Arc::new(
        (0..args.requests)
            .map(|n| creds.sign(&srv.base_url, n, &amz_date))
            .collect::<Result<_, hark_core::sigv4::SigV4Error>>()?,
    );
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.connections)
        .build()?;
    let (mut lat, elapsed) = drive(args.connections, calls, move |calls, n| {
        let client = client.clone();
        async move {
            let c = &calls[n];
            let t = Instant::now();
            let resp = client
                .post(&c.url)
                .header("content-type", "application/json")
                .header("x-amz-date", &c.amz_date)
                .header("authorization", &c.authorization)
                .body(c.body.clone())
                .send()
                .await?;
            let status = resp.status();
            let text = resp.text().await?;
            let latency = t.elapsed();
            if status != 200 {
                return Err(format!("call {n}: {status} {text}").into());
            }
            Ok(latency)
        }
    })
    .await?;
    let rss = srv.peak_rss_mb();
    srv.stop().await;
    lat.sort_unstable();
    Ok(stats::E2e {
        rate: lat.len() as f64 / elapsed.as_secs_f64(),
        p50: stats::quantile(&lat, 0.5),
        p99: stats::quantile(&lat, 0.99),
        rss_peak_mb: rss,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn generated_ids_are_valid_and_revotes_point_back() {
        for n in 0..100 {
            let (conv, msg, _, _, _) = super::call(n);
            assert!(hark_core::chat::is_valid_resource_id(&conv), "{conv}");
            assert!(hark_core::chat::is_valid_resource_id(&msg), "{msg}");
        }
        assert_eq!(super::call(9).1, super::call(4).1);
        assert_eq!(super::call(9).2, super::call(4).2);
    }
}
