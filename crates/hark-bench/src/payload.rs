//! Realistic ingest payloads: 100 items of varied length, some with conversation parts,
//! some re-sending items of the previous payload (upserts).

use serde_json::{json, Value};

const PHRASES: &[&str] = &[
    "The search feature is broken on mobile",
    "I love the new dashboard, it saves me an hour every week",
    "Please add an export to Excel, CSV is not enough for our finance team",
    "The app crashes when I upload a photo larger than 10 MB",
    "Onboarding was confusing and I almost gave up",
    "Sync with my watch stopped working after the last update",
    "Pricing is too high compared to the competition",
    "Customer support answered quickly and solved my problem",
    "Dark mode would be great for night shifts",
    "Notifications arrive twice on Android 14",
];

/// A tiny deterministic generator (SplitMix64) so every run sends the same bytes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn text(rng: &mut Rng) -> String {
    let n = 1 + rng.below(4);
    (0..n)
        .map(|_| PHRASES[rng.below(PHRASES.len() as u64) as usize])
        .collect::<Vec<_>>()
        .join(". ")
}

/// The items of payload `n` for `source_id`: 100 items; ~30 % carry 1–4 parts; 20 items re-send
/// items of payload `n - 1` with a changed body and one new part.
pub fn payload(source_id: &str, n: usize, items_per_request: usize) -> Value {
    let mut rng = Rng(n as u64 * 7919 + 17);
    let resend = if n > 0 { items_per_request / 5 } else { 0 };
    let mut items = Vec::with_capacity(items_per_request);
    for j in 0..items_per_request {
        let (req, idx) = if j < resend {
            (n - 1, j * 3 % items_per_request)
        } else {
            (n, j)
        };
        let uid = format!("bench-{req}-{idx}");
        let user = rng.below(5000);
        let mut item = json!({
            "unique_id": uid,
            "body": text(&mut rng),
            "author": format!("User {user}"),
            "user_id": format!("user-{user}"),
            "email": format!("user{user}@example.com"),
            "url": format!("https://feedback.example.com/r/{req}/{idx}"),
            "created_at": format!("2026-03-{:02}T{:02}:{:02}:00Z", 1 + rng.below(28), rng.below(24), rng.below(60)),
        });
        let nparts = if j < resend {
            1
        } else if rng.below(10) < 3 {
            1 + rng.below(4)
        } else {
            0
        };
        if nparts > 0 {
            let parts: Vec<Value> = (0..nparts)
                .map(|k| {
                    json!({
                        "unique_id": format!("{uid}-p{k}-{n}"),
                        "body": text(&mut rng),
                        "author": if k % 2 == 0 { "Support Agent".to_string() } else { format!("User {user}") },
                        "created_at": format!("2026-03-29T10:{:02}:00Z", k),
                    })
                })
                .collect();
            item["conversation_parts"] = Value::Array(parts);
        }
        items.push(item);
    }
    json!({ "source_id": source_id, "items": items })
}

#[cfg(test)]
mod tests {
    #[test]
    fn payloads_are_valid_and_deterministic() {
        let a = super::payload("src", 3, 100);
        assert_eq!(a, super::payload("src", 3, 100));
        let req = hark_core::validate::ingest::validate_ingest(&a).expect("valid envelope");
        assert_eq!(req.items.len(), 100);
        assert!(req.rejected.is_empty());
    }
}
