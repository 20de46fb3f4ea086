//! Starting and stopping a real `hark serve` process for the benchmark.

use std::path::Path;
use std::process::Stdio;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// A running hark with a bench project and webhook source.
pub struct HarkProcess {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    /// Project API key.
    pub api_key: String,
    /// Project secret key.
    pub secret_key: String,
    /// Webhook source id.
    pub source_id: String,
    /// The project's id.
    pub project_id: String,
    /// The database URL (for admin commands while it runs).
    db: String,
    bin: std::path::PathBuf,
}

async fn admin_json(
    bin: &Path,
    db: &str,
    args: &[&str],
) -> Result<serde_json::Value, crate::drive::BenchError> {
    let out = Command::new(bin)
        .arg("admin")
        .args(args)
        .arg("--database")
        .arg(db)
        .output()
        .await?;
    if !out.status.success() {
        return Err(format!(
            "hark admin {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    Ok(serde_json::from_slice(&out.stdout)?)
}

fn field(v: &serde_json::Value, k: &str) -> Result<String, crate::drive::BenchError> {
    v[k].as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("no {k} in {v}").into())
}

/// Starts `hark serve` on port 0 with `extra` arguments and `env` variables, and waits until it
/// listens; returns it and its base URL.
pub(crate) async fn spawn_serve(
    bin: &Path,
    db: &str,
    data_dir: &Path,
    extra: &[&str],
    env: &[(&str, &str)],
) -> Result<(Child, String), crate::drive::BenchError> {
    let mut child = Command::new(bin)
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--log-level",
            "warn",
            "--database",
            db,
        ])
        .arg("--data-dir")
        .arg(data_dir)
        .args(extra)
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let base_url = loop {
        let line = lines
            .next_line()
            .await?
            .ok_or("hark exited before listening")?;
        if let Some(i) = line.find("http://") {
            break line[i..].trim().to_string();
        }
    };
    // Keep draining stdout so the server never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Ok((child, base_url))
}

impl HarkProcess {
    /// Creates the project and source with `hark admin`, then starts `hark serve` on port 0,
    /// on the database `db` (default: a SQLite file in `data_dir`).
    pub async fn start(
        bin: &Path,
        data_dir: &Path,
        db: Option<&str>,
    ) -> Result<Self, crate::drive::BenchError> {
        Self::start_with(bin, data_dir, db, &[]).await
    }

    /// [`HarkProcess::start`] with `extra` arguments for `hark serve` (`--config FILE`, …).
    pub async fn start_with(
        bin: &Path,
        data_dir: &Path,
        db: Option<&str>,
        extra: &[&str],
    ) -> Result<Self, crate::drive::BenchError> {
        let db = match db {
            Some(url) => url.to_string(),
            None => format!("sqlite://{}", data_dir.join("hark.db").display()),
        };
        let p = admin_json(bin, &db, &["create-project", "bench"]).await?;
        let project_id = field(&p, "project_id")?;
        let s = admin_json(
            bin,
            &db,
            &["create-source", "--project", &project_id, "--name", "bench"],
        )
        .await?;
        let (child, base_url) = spawn_serve(bin, &db, data_dir, extra, &[]).await?;
        Ok(Self {
            child,
            base_url,
            api_key: field(&p, "api_key")?,
            secret_key: field(&p, "secret_key")?,
            source_id: field(&s, "source_id")?,
            project_id,
            db,
            bin: bin.to_path_buf(),
        })
    }

    /// Stops the server and starts it again on the same database and `data_dir`, with `extra`
    /// arguments; the project and its keys stay.
    pub async fn restart_with(
        self,
        data_dir: &Path,
        extra: &[&str],
    ) -> Result<Self, crate::drive::BenchError> {
        let (bin, db) = (self.bin.clone(), self.db.clone());
        let (api_key, secret_key, source_id, project_id) = (
            self.api_key.clone(),
            self.secret_key.clone(),
            self.source_id.clone(),
            self.project_id.clone(),
        );
        self.stop().await;
        let (child, base_url) = spawn_serve(&bin, &db, data_dir, extra, &[]).await?;
        Ok(Self {
            child,
            base_url,
            api_key,
            secret_key,
            source_id,
            project_id,
            db,
            bin,
        })
    }

    /// Runs `hark admin ARGS --database DB` beside the running server; returns its JSON.
    pub async fn admin(
        &self,
        args: &[&str],
    ) -> Result<serde_json::Value, crate::drive::BenchError> {
        admin_json(&self.bin, &self.db, args).await
    }

    /// Peak resident memory of the server process (VmHWM), in MB; 0 if unreadable.
    pub fn peak_rss_mb(&self) -> f64 {
        self.status_mb("VmHWM:")
    }

    /// Resident memory of the server process now (VmRSS), in MB; 0 if unreadable.
    pub fn rss_mb(&self) -> f64 {
        self.status_mb("VmRSS:")
    }

    /// CPU time (user + system) the server process has used so far, in seconds; 0 if
    /// unreadable. Less sensitive than wall time to other work on a shared machine.
    pub fn cpu_secs(&self) -> f64 {
        let Some(pid) = self.child.id() else {
            return 0.0;
        };
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        // Fields after the `(comm)`, which may hold spaces: state is the 3rd field, utime the
        // 14th and stime the 15th, in clock ticks (100 per second on Linux).
        let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
        let ticks: f64 = rest
            .split_whitespace()
            .skip(11)
            .take(2)
            .filter_map(|v| v.parse::<f64>().ok())
            .sum();
        ticks / 100.0
    }

    /// A `kB` line of `/proc/PID/status`, in MB; 0 if unreadable.
    fn status_mb(&self, key: &str) -> f64 {
        let Some(pid) = self.child.id() else {
            return 0.0;
        };
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    }

    /// Asks the server to stop (SIGTERM) and waits for it.
    pub async fn stop(mut self) {
        if let Some(pid) = self.child.id() {
            let _ = Command::new("kill")
                .arg("-TERM")
                .arg(pid.to_string())
                .status()
                .await;
        }
        let _ = self.child.wait().await;
    }
}
