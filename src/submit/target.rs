//! Where a back end connects: one parser for the URL that both back ends take, and the
//! form of it that is safe to print (the password is never shown).

use url::Url;

use super::SubmitError;

/// A parsed `redis://` or `rediss://` URL.
#[derive(Clone, Debug)]
pub struct Target {
    /// The URL as given, to hand to the redis crate or the local engine.
    url: String,
    /// The URL with any password replaced by `***`, for messages.
    shown: String,
    pub host: String,
    pub port: u16,
    pub tls: bool,
}

impl Target {
    pub fn parse(text: &str) -> Result<Target, SubmitError> {
        let bad = |reason: &str| SubmitError::BadUrl {
            url: redact(text),
            reason: reason.to_string(),
        };
        let parsed = Url::parse(text).map_err(|e| bad(&e.to_string()))?;
        let tls = match parsed.scheme() {
            "redis" => false,
            "rediss" => true,
            other => {
                return Err(bad(&format!(
                    "the scheme is `{other}`; use redis:// (or rediss:// for TLS)"
                )))
            }
        };
        let host = parsed
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| bad("it names no host"))?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let path = parsed.path().trim_start_matches('/');
        if !path.is_empty() && path.parse::<u32>().is_err() {
            return Err(bad(
                "the path must be a database number, e.g. redis://host:6379/0",
            ));
        }
        Ok(Target {
            url: text.to_string(),
            shown: redact(text),
            host,
            port: parsed.port().unwrap_or(6379),
            tls,
        })
    }

    /// The URL for the redis crate (with its password).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The URL of another node of the same deployment (a cluster's primary), keeping
    /// the scheme, user, password and TLS settings.
    pub fn with_address(&self, host: &str, port: u16) -> Target {
        let mut url = Url::parse(&self.url).expect("a Target's URL parsed before");
        let _ = url.set_host(Some(host));
        let _ = url.set_port(Some(port));
        let text = url.to_string();
        Target {
            shown: redact(&text),
            url: text,
            host: host.to_string(),
            port,
            tls: self.tls,
        }
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.shown)
    }
}

/// `url` with its password (if any) replaced by `***`; text that is no URL is shown
/// only up to an `@`, which may end a password.
pub fn redact(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut parsed) => {
            if parsed.password().is_some() {
                let _ = parsed.set_password(Some("***"));
            }
            parsed.to_string()
        }
        Err(_) => match url.rsplit_once('@') {
            Some((_, host)) => format!("***@{host}"),
            None => url.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_show() {
        let t = Target::parse("redis://app:s3cret@10.0.0.1:7000/2").unwrap();
        assert_eq!(t.to_string(), "redis://app:***@10.0.0.1:7000/2");
        assert_eq!((t.host.as_str(), t.port, t.tls), ("10.0.0.1", 7000, false));
        assert_eq!(redact("redis://:pw@localhost"), "redis://:***@localhost");
        assert_eq!(redact("not a url:pw@host"), "***@host");
        let other = t.with_address("127.0.0.1", 7001);
        assert_eq!(other.to_string(), "redis://app:***@127.0.0.1:7001/2");
        assert!(other.url().contains("s3cret"));
    }

    #[test]
    fn rejects_what_is_not_a_redis_url() {
        for bad in ["http://localhost", "localhost:6379", "redis://host/x"] {
            let e = Target::parse(bad).unwrap_err();
            assert!(matches!(e, SubmitError::BadUrl { .. }), "{bad}: {e:?}");
        }
        assert!(Target::parse("rediss://h:6380").unwrap().tls);
    }
}
