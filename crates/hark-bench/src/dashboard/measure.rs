//! Timing the pages: a real `hark serve` (analysis off, so nothing else runs), one signed-in
//! session, requests one at a time.

use super::fixture::{EMAIL, PASSWORD};
use crate::drive::BenchError;
use crate::stats::{ms, quantile};
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use std::path::Path;
use std::time::{Duration, Instant};

struct Page {
    name: &'static str,
    path: String,
}

fn cookie(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|c| c.split(';').next())
        .find(|c| c.starts_with(&format!("{name}=")))
        .map(str::to_string)
}

/// Starts the server, signs in, times every page.
pub async fn run(
    bin: &Path,
    dir: &Path,
    (api_key, secret): &(String, String),
    requests: usize,
) -> Result<(), BenchError> {
    let db = format!("sqlite://{}", dir.join("hark.db").display());
    let (mut child, base) =
        crate::server::spawn_serve(bin, &db, dir, &[], &[("HARK_ANALYSIS__ENABLED", "false")])
            .await?;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    // Sign in through the form, as a browser does.
    let form = http.get(format!("{base}/login")).send().await?;
    let login = cookie(&form, "hark_login").ok_or("no sign-in cookie")?;
    let html = form.text().await?;
    let at = html.find("name=\"csrf\" value=\"").ok_or("no csrf field")? + 19;
    let csrf = html.get(at..at + 32).ok_or("short csrf")?.to_string();
    let signed = http
        .post(format!("{base}/login"))
        .header(COOKIE, login)
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", EMAIL),
            ("password", PASSWORD),
        ])
        .send()
        .await?;
    if signed.headers().get(LOCATION).is_none() {
        return Err(format!("sign-in failed: {}", signed.status()).into());
    }
    let session = cookie(&signed, "hark_session").ok_or("no session cookie")?;
    // Ids for the detail pages, from the JSON API.
    let themes: serde_json::Value = http
        .get(format!("{base}/api/1/themes?limit=1"))
        .basic_auth(api_key, Some(secret))
        .send()
        .await?
        .json()
        .await?;
    let theme = themes["themes"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let items: serde_json::Value = http
        .get(format!("{base}/api/1/items?limit=1"))
        .basic_auth(api_key, Some(secret))
        .send()
        .await?
        .json()
        .await?;
    let item = items["items"][0]["id"].to_string();
    let pages = [
        Page {
            name: "overview",
            path: "/".into(),
        },
        Page {
            name: "overview (all time)",
            path: "/?range=all".into(),
        },
        Page {
            name: "themes",
            path: "/themes".into(),
        },
        Page {
            name: "themes (growth)",
            path: "/themes?sort=growth".into(),
        },
        Page {
            name: "theme",
            path: format!("/themes/{theme}"),
        },
        Page {
            name: "feedback",
            path: "/feedback".into(),
        },
        Page {
            name: "feedback (negative bugs)",
            path: "/feedback?category=bug&sentiment=negative".into(),
        },
        Page {
            name: "feedback (search)",
            path: "/feedback?q=export".into(),
        },
        Page {
            name: "item",
            path: format!("/feedback/{item}"),
        },
        Page {
            name: "ai answers",
            path: "/ai-answers".into(),
        },
        Page {
            name: "settings",
            path: "/settings".into(),
        },
    ];
    // The weight of what every page loads besides its HTML.
    let login_html = http
        .get(format!("{base}/login"))
        .send()
        .await?
        .text()
        .await?;
    let mut asset_bytes = 0usize;
    for (i, _) in login_html.match_indices("\"/assets/") {
        let rest = &login_html[i + 1..];
        let path = &rest[..rest.find('"').unwrap_or(0)];
        asset_bytes += http
            .get(format!("{base}{path}"))
            .send()
            .await?
            .bytes()
            .await?
            .len();
    }
    let time = |path: String, auth: bool| {
        let (http, base, session) = (http.clone(), base.clone(), session.clone());
        let (api_key, secret) = (api_key.clone(), secret.clone());
        async move {
            let mut times = Vec::with_capacity(requests);
            let mut bytes = 0;
            let mut status = 0;
            for n in 0..requests + 3 {
                let mut req = http.get(format!("{base}{path}"));
                req = if auth {
                    req.basic_auth(&api_key, Some(&secret))
                } else {
                    req.header(COOKIE, &session)
                };
                let start = Instant::now();
                let r = req.send().await?;
                status = r.status().as_u16();
                let body = r.bytes().await?;
                let took = start.elapsed();
                bytes = body.len();
                if n >= 3 {
                    times.push(took);
                }
            }
            times.sort();
            Ok::<_, BenchError>((times, bytes, status))
        }
    };
    let (base_times, _, base_status) = time("/api/1/themes".into(), true).await?;
    let base_p95 = quantile(&base_times, 0.95);
    println!(
        "{:<26} {:>6} {:>9} {:>9} {:>8} {:>10}",
        "page", "status", "p50", "p95", "p95/api", "KB (+assets)"
    );
    println!(
        "{:<26} {:>6} {:>9} {:>9} {:>8} {:>10}",
        "baseline GET /api/1/themes",
        base_status,
        ms(quantile(&base_times, 0.5)),
        ms(base_p95),
        "1.00",
        "-"
    );
    let mut worst = Duration::ZERO;
    for page in pages {
        let (times, bytes, status) = time(page.path.clone(), false).await?;
        let p95 = quantile(&times, 0.95);
        worst = worst.max(p95);
        println!(
            "{:<26} {:>6} {:>9} {:>9} {:>8.2} {:>10.1}",
            page.name,
            status,
            ms(quantile(&times, 0.5)),
            ms(p95),
            p95.as_secs_f64() / base_p95.as_secs_f64().max(1e-9),
            (bytes + asset_bytes) as f64 / 1024.0
        );
    }
    println!(
        "slowest page p95: {}; assets (CSS + JS + icon): {:.1} KB",
        ms(worst),
        asset_bytes as f64 / 1024.0
    );
    let _ = child.kill().await;
    Ok(())
}
