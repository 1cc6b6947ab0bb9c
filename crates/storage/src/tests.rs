//! One port suite, run against memory, local disk and a real S3-compatible
//! server (`S3_ENDPOINT` and friends, started by `tests/services.sh`).

use sha2::{Digest, Sha256};

use super::*;

fn s3_config() -> S3Config {
    let var = |k: &str| {
        std::env::var(k).unwrap_or_else(|_| {
            panic!("{k} must be set: run `just test storage`, or `tests/services.sh up` and source .services/env")
        })
    };
    S3Config {
        endpoint: Some(var("S3_ENDPOINT")),
        bucket: var("S3_BUCKET"),
        region: std::env::var("S3_REGION").unwrap_or_else(|_| "us-east-1".into()),
        access_key: var("S3_ACCESS_KEY"),
        secret_key: var("S3_SECRET_KEY"),
    }
}

/// Every backend the suite runs on: memory, local disk and S3 at their
/// roots, and S3 and Azure (Azurite) under a key prefix.
async fn stores() -> Vec<(&'static str, ObjectBlobStore)> {
    let dir = std::env::temp_dir().join(format!("rtc-storage-{}", uuid::Uuid::new_v4()));
    vec![
        (
            "memory",
            ObjectBlobStore::from_config(&StorageConfig::Memory).unwrap(),
        ),
        (
            "local",
            ObjectBlobStore::from_config(&StorageConfig::Local { dir }).unwrap(),
        ),
        (
            "s3",
            ObjectBlobStore::from_config(&StorageConfig::S3(s3_config())).unwrap(),
        ),
        (
            "s3 prefixed",
            ObjectBlobStore::open(&StorageConfig::S3(s3_config()), "webrtc-recordings/").unwrap(),
        ),
        ("azure prefixed", azurite::store("webrtc-recordings/").await),
    ]
}

/// A unique prefix per run, so runs against one bucket never collide.
fn base() -> String {
    format!("t-{}", uuid::Uuid::new_v4().simple())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn put_get_range_head_list_delete_behave_alike_on_every_backend() {
    for (name, s) in stores().await {
        let b = base();
        let k = |p: &str| format!("{b}/{p}");
        let m = s
            .put(&k("a/one"), Bytes::from_static(b"hello world"))
            .await
            .unwrap();
        assert_eq!(m.size, 11, "{name}");
        s.put(&k("a/two"), Bytes::from_static(b"2")).await.unwrap();
        s.put(&k("ab/three"), Bytes::from_static(b"3"))
            .await
            .unwrap();
        let all = s.get(&k("a/one"), None).await.unwrap();
        assert_eq!((all.range.clone(), all.meta.size), (0..11, 11), "{name}");
        assert_eq!(&all.bytes().await.unwrap()[..], b"hello world", "{name}");
        let part = s.get(&k("a/one"), Some(6..11)).await.unwrap();
        assert_eq!(part.range, 6..11, "{name}");
        assert_eq!(&part.bytes().await.unwrap()[..], b"world", "{name}");
        assert!(
            matches!(
                s.get(&k("a/one"), Some(5..40)).await,
                Err(BlobError::InvalidRange(_))
            ),
            "{name}: range past the end"
        );
        assert_eq!(s.head(&k("a/two")).await.unwrap().size, 1, "{name}");
        assert!(
            matches!(s.head(&k("a/none")).await, Err(BlobError::NotFound(_))),
            "{name}"
        );
        assert!(
            matches!(s.get(&k("a/none"), None).await, Err(BlobError::NotFound(_))),
            "{name}"
        );
        let listed: Vec<String> = s
            .list(&k("a"))
            .await
            .unwrap()
            .into_iter()
            .map(|m| m.key)
            .collect();
        assert_eq!(
            listed,
            [k("a/one"), k("a/two")],
            "{name}: whole segments only"
        );
        s.put(&k("a/two"), Bytes::from_static(b"22")).await.unwrap();
        assert_eq!(
            s.head(&k("a/two")).await.unwrap().size,
            2,
            "{name}: replaced"
        );
        s.delete(&k("a/two")).await.unwrap();
        s.delete(&k("a/two")).await.unwrap();
        assert!(matches!(
            s.head(&k("a/two")).await,
            Err(BlobError::NotFound(_))
        ));
        assert_eq!(s.delete_prefix(&b).await.unwrap(), 2, "{name}");
        assert!(s.list(&b).await.unwrap().is_empty(), "{name}");
        for bad in [
            "",
            "../etc/passwd",
            "a//b",
            "a/./b",
            "a\\b",
            "a\u{0}b",
            "/abs",
        ] {
            assert!(
                matches!(
                    s.put(bad, Bytes::new()).await,
                    Err(BlobError::InvalidKey(_))
                ),
                "{name}: {bad:?} accepted"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_50_mib_streamed_upload_reports_progress_and_arrives_intact() {
    const SIZE: usize = 50 * 1024 * 1024;
    let data: Vec<u8> = (0..SIZE).map(|i| (i * 7 % 251) as u8).collect();
    let want = Sha256::digest(&data);
    for (name, s) in stores().await {
        let key = format!("{}/big.bin", base());
        let chunks: Vec<Result<Bytes, std::io::Error>> = data
            .chunks(1024 * 1024)
            .map(|c| Ok(Bytes::copy_from_slice(c)))
            .collect();
        let seen = std::sync::Mutex::new(Vec::new());
        let progress = |n: u64| seen.lock().unwrap().push(n);
        let meta = s
            .put_stream(
                &key,
                futures_util::stream::iter(chunks).boxed(),
                Some(&progress),
            )
            .await
            .unwrap();
        assert_eq!(meta.size, SIZE as u64, "{name}");
        let seen = seen.into_inner().unwrap();
        assert_eq!(seen.len(), 50, "{name}: one event per chunk");
        assert!(
            seen.windows(2).all(|w| w[0] < w[1]),
            "{name}: progress only grows"
        );
        assert_eq!(*seen.last().unwrap(), SIZE as u64, "{name}");
        let got = s.get(&key, None).await.unwrap().bytes().await.unwrap();
        assert_eq!(Sha256::digest(&got), want, "{name}: same bytes");
        s.delete(&key).await.unwrap();
    }
}

/// S3 and Azure sign URLs (under a prefix too): a signed URL fetches the
/// object until it expires; another object or a changed signature is
/// refused by the server itself. Memory and local disk cannot sign.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_urls_work_until_they_expire_and_refuse_tampering() {
    for (name, s) in stores().await {
        let key = format!("{}/signed.txt", base());
        s.put(&key, Bytes::from_static(b"signed body"))
            .await
            .unwrap();
        let url = s.signed_url(&key, Duration::from_secs(2)).await.unwrap();
        let sig_param = match name {
            "s3" | "s3 prefixed" => "X-Amz-Signature=",
            "azure prefixed" => "sig=",
            _ => {
                assert!(
                    url.is_none(),
                    "{name} cannot sign; the server links instead"
                );
                continue;
            }
        };
        let url = url.unwrap_or_else(|| panic!("{name} signs"));
        if name.ends_with("prefixed") {
            assert!(url.contains("/webrtc-recordings/"), "{url}");
        }
        let http = reqwest::Client::new();
        let r = http.get(&url).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 200, "{name}: {url}");
        assert_eq!(&r.bytes().await.unwrap()[..], b"signed body");
        let tampered = url.replace("signed.txt", "signed.txu");
        assert_eq!(
            http.get(&tampered).send().await.unwrap().status().as_u16(),
            403,
            "{name}"
        );
        let sig_at = url.find(sig_param).unwrap() + sig_param.len();
        let mut forged = url.clone();
        // A hex digit (S3) or a base64 character (Azure) either way.
        let c = if &url[sig_at..sig_at + 1] == "0" {
            "1"
        } else {
            "0"
        };
        forged.replace_range(sig_at..sig_at + 1, c);
        assert_eq!(
            http.get(&forged).send().await.unwrap().status().as_u16(),
            403,
            "{name}"
        );
        tokio::time::sleep(Duration::from_millis(3100)).await;
        assert_eq!(
            http.get(&url).send().await.unwrap().status().as_u16(),
            403,
            "{name}: expired"
        );
    }
}

/// A prefixed store keeps every key under its prefix (as an unprefixed
/// client of the same bucket sees), and lists and reads them without it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_prefix_holds_every_object_and_stays_out_of_keys() {
    let b = base();
    let prefixed =
        ObjectBlobStore::open(&StorageConfig::S3(s3_config()), &format!("/{b}/team-a/")).unwrap();
    let root = ObjectBlobStore::from_config(&StorageConfig::S3(s3_config())).unwrap();
    prefixed
        .put("rec/1.webm", Bytes::from_static(b"one"))
        .await
        .unwrap();
    let listed: Vec<String> = prefixed
        .list("rec")
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.key)
        .collect();
    assert_eq!(listed, ["rec/1.webm"]);
    let raw: Vec<String> = root
        .list(&b)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.key)
        .collect();
    assert_eq!(raw, [format!("{b}/team-a/rec/1.webm")]);
    assert!(
        root.head("rec/1.webm").await.is_err(),
        "nothing at the root"
    );
    for bad in ["a/../b", "a//b"] {
        assert!(
            ObjectBlobStore::open(&StorageConfig::Memory, bad).is_err(),
            "{bad}"
        );
    }
}

/// GCS signs V4 URLs locally with a service account's key (no server here
/// checks them: there is no GCS emulator that verifies signatures), under
/// the prefix, for the asked lifetime.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gcs_signs_v4_urls_with_a_service_account_key() {
    let dir = std::env::temp_dir().join(format!("rtc-gcs-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let pem = dir.join("key.pem");
    let made = std::process::Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
        ])
        .arg(&pem)
        .status()
        .expect("openssl");
    assert!(made.success());
    let key = serde_json::json!({
        "type": "service_account",
        "client_email": "rtc@project.iam.gserviceaccount.com",
        "private_key_id": "k1",
        "private_key": std::fs::read_to_string(&pem).unwrap(),
    });
    let cfg = StorageConfig::Url {
        url: "gs://rtc-bucket".into(),
        options: vec![("google_service_account_key".into(), key.to_string())],
    };
    let s = ObjectBlobStore::open(&cfg, "webrtc-recordings").unwrap();
    let url = s
        .signed_url("rec/a.webm", Duration::from_secs(600))
        .await
        .unwrap()
        .expect("GCS signs");
    assert!(
        url.starts_with("https://storage.googleapis.com/rtc-bucket/webrtc-recordings/rec/a.webm?"),
        "{url}"
    );
    for part in [
        "X-Goog-Algorithm=GOOG4-RSA-SHA256",
        "X-Goog-Expires=600",
        "rtc%40project.iam.gserviceaccount.com",
        "X-Goog-Signature=",
    ] {
        assert!(url.contains(part), "{part} in {url}");
    }
    let bad = StorageConfig::Url {
        url: "gs://rtc-bucket/some/path".into(),
        options: vec![],
    };
    assert!(
        ObjectBlobStore::open(&bad, "").is_err(),
        "a path is refused"
    );
}

#[test]
fn server_links_expire_and_refuse_tampering() {
    let l = LinkSigner::new(b"0123456789abcdef0123456789abcdef");
    let sig = l.sign("rooms/r/file", 1_000);
    assert_eq!(l.verify("rooms/r/file", 1_000, &sig, 999), Ok(()));
    assert_eq!(
        l.verify("rooms/r/file", 1_000, &sig, 1_001),
        Err(LinkError::Expired)
    );
    assert_eq!(
        l.verify("rooms/r/other", 1_000, &sig, 999),
        Err(LinkError::BadSignature)
    );
    assert_eq!(
        l.verify("rooms/r/file", 2_000, &sig, 999),
        Err(LinkError::BadSignature)
    );
    assert_eq!(
        l.verify("rooms/r/file", 1_000, "garbage!", 999),
        Err(LinkError::BadSignature)
    );
    let other = LinkSigner::new(b"another secret, another server..");
    assert_eq!(
        other.verify("rooms/r/file", 1_000, &sig, 999),
        Err(LinkError::BadSignature)
    );
    assert!(l.query("k", 5).starts_with("expires=5&sig="));
}

/// Azurite (`AZURITE_BLOB_STORAGE_URL`, started by `tests/services.sh`):
/// the container is made with one shared-key request, as `az storage
/// container create` would.
mod azurite {
    use base64::Engine as _;
    use hmac::{Hmac, Mac};

    use super::*;

    const ACCOUNT: &str = "devstoreaccount1";
    /// Azurite's published development key.
    const KEY: &str =
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    const CONTAINER: &str = "rtc-test";

    /// A store on the test container under `prefix`.
    pub async fn store(prefix: &str) -> ObjectBlobStore {
        let base = std::env::var("AZURITE_BLOB_STORAGE_URL").expect(
            "AZURITE_BLOB_STORAGE_URL must be set: run `just test storage`, or `tests/services.sh up` and source .services/env",
        );
        create_container(&base).await;
        let cfg = StorageConfig::Url {
            url: format!("az://{CONTAINER}"),
            options: vec![("azure_storage_use_emulator".into(), "true".into())],
        };
        ObjectBlobStore::open(&cfg, prefix).unwrap()
    }

    /// `PUT /{account}/{container}?restype=container`, signed with the
    /// account key; 201, or 409 when it is there already.
    async fn create_container(base: &str) {
        let date = time::OffsetDateTime::now_utc()
            .format(time::macros::format_description!(
                "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
            ))
            .unwrap();
        let version = "2021-08-06";
        let to_sign = format!(
            "PUT\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:{date}\nx-ms-version:{version}\n/{ACCOUNT}/{ACCOUNT}/{CONTAINER}\nrestype:container"
        );
        let b64 = base64::engine::general_purpose::STANDARD;
        let mut mac = Hmac::<Sha256>::new_from_slice(&b64.decode(KEY).unwrap()).unwrap();
        mac.update(to_sign.as_bytes());
        let sig = b64.encode(mac.finalize().into_bytes());
        let r = reqwest::Client::new()
            .put(format!("{base}/{ACCOUNT}/{CONTAINER}?restype=container"))
            .header("x-ms-date", date)
            .header("x-ms-version", version)
            .header("content-length", "0")
            .header("authorization", format!("SharedKey {ACCOUNT}:{sig}"))
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        assert!(
            status == 201 || status == 409,
            "creating the container: {status} {}",
            r.text().await.unwrap_or_default()
        );
    }
}
