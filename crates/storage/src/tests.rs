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

fn stores() -> Vec<(&'static str, ObjectBlobStore)> {
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
    ]
}

/// A unique prefix per run, so runs against one bucket never collide.
fn base() -> String {
    format!("t-{}", uuid::Uuid::new_v4().simple())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn put_get_range_head_list_delete_behave_alike_on_every_backend() {
    for (name, s) in stores() {
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
    for (name, s) in stores() {
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_signed_urls_work_until_they_expire_and_refuse_tampering() {
    for (name, s) in stores() {
        let key = format!("{}/signed.txt", base());
        s.put(&key, Bytes::from_static(b"signed body"))
            .await
            .unwrap();
        let url = s.signed_url(&key, Duration::from_secs(2)).await.unwrap();
        if name != "s3" {
            assert!(
                url.is_none(),
                "{name} cannot sign; the server links instead"
            );
            continue;
        }
        let url = url.expect("S3 signs");
        let http = reqwest::Client::new();
        let r = http.get(&url).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 200);
        assert_eq!(&r.bytes().await.unwrap()[..], b"signed body");
        let tampered = url.replace("signed.txt", "signed.txu");
        assert_eq!(
            http.get(&tampered).send().await.unwrap().status().as_u16(),
            403
        );
        let sig_at = url.find("X-Amz-Signature=").unwrap() + 16;
        let mut forged = url.clone();
        let c = if &url[sig_at..sig_at + 1] == "0" {
            "1"
        } else {
            "0"
        };
        forged.replace_range(sig_at..sig_at + 1, c);
        assert_eq!(
            http.get(&forged).send().await.unwrap().status().as_u16(),
            403
        );
        tokio::time::sleep(Duration::from_millis(3100)).await;
        assert_eq!(
            http.get(&url).send().await.unwrap().status().as_u16(),
            403,
            "expired"
        );
    }
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
