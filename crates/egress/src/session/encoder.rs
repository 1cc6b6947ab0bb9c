//! The encoder of an egress: starting it (the mix through a FIFO, the
//! pictures on standard input, progress and errors read from standard
//! error), telling when it exited or hung, and the restarts' backoff.

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::{Event, Output, Run, Status};
use crate::ffmpeg::{Target, encoder_args};

/// A running encoder and what is known of it.
pub(super) struct Encoder {
    pub(super) video: mpsc::Sender<Vec<u8>>,
    pub(super) audio: mpsc::Sender<Vec<u8>>,
    pub(super) child: Child,
    pub(super) stderr: Arc<Mutex<String>>,
    /// When it last reported progress (or started).
    pub(super) progress: Arc<Mutex<Instant>>,
    /// Killed for making no progress.
    pub(super) hung: bool,
}

impl Run {
    /// Starts output `i`'s encoder (a FIFO for the mix, the pictures on
    /// standard input), or fails the egress when it cannot.
    pub(super) fn start_encoder(&mut self, i: usize) {
        let fifo = self
            .cfg
            .scratch
            .join(format!("egress-{}-{}.pcm", std::process::id(), unique()));
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .is_ok_and(|s| s.success());
        if !made {
            let reason = format!("could not make a FIFO in {}", self.cfg.scratch.display());
            self.set_output(i, Status::Failed { reason });
            return;
        }
        let (target, stdout) = match &self.sinks[i].output {
            Output::Rtmp(url) => (Target::Rtmp(url), Stdio::null()),
            Output::Hls(dir) => (Target::Hls(dir), Stdio::null()),
            Output::File(_) => (Target::Matroska, Stdio::piped()),
        };
        let spawned = Command::new(&self.cfg.ffmpeg)
            .args(encoder_args(&self.cfg.preset, &fifo, target))
            .stdin(Stdio::piped())
            .stdout(stdout)
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn();
        let mut child = match spawned {
            Ok(c) => c,
            Err(e) => {
                let _ = std::fs::remove_file(&fifo);
                let reason = format!("ffmpeg did not start: {e}");
                self.set_output(i, Status::Failed { reason });
                return;
            }
        };
        let (video, mut video_rx) = mpsc::channel::<Vec<u8>>(4);
        let (audio, mut audio_rx) = mpsc::channel::<Vec<u8>>(64);
        if let Some(mut stdin) = child.stdin.take() {
            tokio::spawn(async move {
                while let Some(b) = video_rx.recv().await {
                    if stdin.write_all(&b).await.is_err() {
                        return;
                    }
                }
            });
        }
        tokio::spawn(async move {
            // The encoder opens the FIFO after its first input; until then
            // opening it for writing fails (ENXIO).
            let mut pipe = loop {
                match tokio::net::unix::pipe::OpenOptions::new().open_sender(&fifo) {
                    Ok(p) => break p,
                    Err(_) if !audio_rx.is_closed() => {
                        tokio::time::sleep(Duration::from_millis(20)).await
                    }
                    Err(_) => {
                        let _ = std::fs::remove_file(&fifo);
                        return;
                    }
                }
            };
            let _ = std::fs::remove_file(&fifo);
            while let Some(b) = audio_rx.recv().await {
                if pipe.write_all(&b).await.is_err() {
                    return;
                }
            }
        });
        if let (Some(mut out), Output::File(sink)) = (child.stdout.take(), &self.sinks[i].output) {
            let sink = sink.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 256 * 1024];
                loop {
                    match out.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => {
                            if sink.send(buf[..n].to_vec()).await.is_err() {
                                return;
                            }
                        }
                    }
                }
            });
        }
        let progress = Arc::new(Mutex::new(Instant::now()));
        let stderr = Arc::new(Mutex::new(String::new()));
        if let Some(err) = child.stderr.take() {
            let events = self.events.clone();
            let (progress, keep) = (progress.clone(), stderr.clone());
            tokio::spawn(async move {
                let mut lines = BufReader::new(err).lines();
                let mut live = false;
                while let Ok(Some(l)) = lines.next_line().await {
                    match progress_line(&l) {
                        // A report ends with `progress=continue` once a second.
                        Some(("progress", _)) => {
                            *progress.lock().expect("progress") = Instant::now()
                        }
                        // The output's time: media got through.
                        Some(("out_time_us", us)) => {
                            if !live && us.trim().parse::<i64>().is_ok_and(|us| us > 0) {
                                live = true;
                                let _ = events.send(Event::Live(i));
                            }
                        }
                        Some(_) => {}
                        None => *keep.lock().expect("stderr") = l,
                    }
                }
            });
        }
        self.sinks[i].encoder = Some(Encoder {
            video,
            audio,
            child,
            stderr,
            progress,
            hung: false,
        });
    }

    /// Whether output `i`'s encoder has exited since the last look (it is
    /// then gone). A file or HLS output is not started again: a second
    /// Matroska stream cannot follow the first, nor a second playlist
    /// numbered from 0 the first.
    pub(super) fn encoder_exited(&mut self, i: usize) -> bool {
        let sink = &mut self.sinks[i];
        let Some(e) = sink.encoder.as_mut() else {
            return false;
        };
        if !matches!(e.child.try_wait(), Ok(Some(_))) {
            let quiet = e.progress.lock().expect("progress").elapsed();
            // While paused, `feed` keeps the progress time fresh.
            if quiet > self.cfg.retry.hang && !e.hung {
                e.hung = true;
                let _ = e.child.start_kill();
            }
            return false;
        }
        let reason = e.stderr.lock().expect("stderr").clone();
        let reason = if e.hung {
            format!(
                "the encoder made no progress for {} s and was stopped",
                self.cfg.retry.hang.as_secs()
            )
        } else if reason.is_empty() {
            "the encoder exited".to_owned()
        } else if let Output::Rtmp(destination) = &sink.output {
            scrub(&reason, destination)
        } else {
            reason
        };
        let retries = match sink.output {
            Output::Rtmp(_) => self.cfg.retry.attempts,
            Output::Hls(_) | Output::File(_) => 0,
        };
        sink.encoder = None;
        sink.attempts += 1;
        let attempt = sink.attempts;
        if attempt > retries {
            self.set_output(i, Status::Failed { reason });
        } else {
            self.set_output(i, Status::Reconnecting { attempt, reason });
        }
        true
    }

    /// After output `i`'s encoder exited: false if the egress failed, else
    /// true with the restart planned after the backoff.
    pub(super) fn give_up_or_wait(&mut self, i: usize, now: Instant) -> bool {
        if matches!(self.last_status, Some(Status::Failed { .. })) {
            return false;
        }
        let sink = &mut self.sinks[i];
        let shift = sink.attempts.saturating_sub(1).min(16);
        let wait = (self.cfg.retry.first * 2u32.pow(shift)).min(self.cfg.retry.max);
        sink.restart_at = Some(now + wait);
        true
    }
}

/// A line of ffmpeg's `-progress` report (`key=value`, the key in lower
/// case), split; `None` for anything else (an error).
fn progress_line(line: &str) -> Option<(&str, &str)> {
    let (key, value) = line.split_once('=')?;
    let is_key = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    is_key.then_some((key, value))
}

/// `text` without the destination URL, or its stream key (its last path
/// segment), wherever they appear.
fn scrub(text: &str, destination: &str) -> String {
    let key = destination.rsplit('/').next().unwrap_or_default();
    let mut out = text.replace(destination, "<destination>");
    if key.len() >= 4 {
        out = out.replace(key, "<key>");
    }
    out
}

pub(super) fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_reports_are_told_from_errors() {
        assert_eq!(
            progress_line("out_time_us=1200000"),
            Some(("out_time_us", "1200000"))
        );
        assert_eq!(
            progress_line("stream_0_0_q=23.0"),
            Some(("stream_0_0_q", "23.0"))
        );
        for error in [
            "rtmp://h/app: Connection refused",
            "[flv @ 0x55] Failed to update header with correct duration.",
            "Error writing trailer of pipe:1: Broken pipe",
        ] {
            assert_eq!(progress_line(error), None, "{error}");
        }
    }

    #[test]
    fn the_destination_and_its_key_never_appear_in_a_reason() {
        let d = "rtmp://live.example/app/sk-123456";
        assert_eq!(
            scrub("rtmp://live.example/app/sk-123456: Connection refused", d),
            "<destination>: Connection refused"
        );
        assert_eq!(scrub("bad key sk-123456", d), "bad key <key>");
    }
}
