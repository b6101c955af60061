//! The service catalogue: which application a host name or an address belongs to.
//!
//! * Host names (HTTP `Host`, TLS/QUIC SNI, DNS query names, certificate names) are
//!   matched against [`HOST_SERVICES`] with one Aho-Corasick automaton built once: the
//!   name is scanned once, whatever the size of the table, and the longest suffix that
//!   starts at a label boundary wins (`meet.google.com` before `google.com`).
//! * Addresses are matched against [`IP_SERVICES`] (IPv4 and IPv6 provider and service
//!   ranges) in a longest-prefix table, consulted when a flow's content names nothing,
//!   as nDPI's "Match by IP" does.
//!
//! The domains and ranges are public facts (the services' own documentation, RIR
//! allocations, nDPI's protocol list); the tables are weir's.

use std::net::IpAddr;
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use ipnet::IpNet;

use crate::lists::PrefixMap;
use crate::proto::Proto;

/// Longest host name looked up (DNS names are at most 253 characters).
const MAX_HOST: usize = 255;

macro_rules! hosts {
    ($($app:ident: $($d:literal)*;)*) => {
        /// Domain suffixes of well-known services and the application they name. A
        /// host matches a suffix when it equals it or ends with `.` + suffix.
        pub const HOST_SERVICES: &[(&str, Proto)] = &[$($(($d, Proto::$app),)*)*];
    };
}

hosts! {
    GOOGLE_MEET: "meet.google.com" "meet.googleapis.com";
    PLAYSTORE: "play.google.com" "android.clients.google.com" "play.googleapis.com" "play-fe.googleapis.com" "play-lh.googleusercontent.com";
    DATASAVER: "datasaver.googleapis.com" "googlezip.net" "litepages.googlezip.net";
    GOOGLEMAPS: "maps.google.com" "maps.googleapis.com" "maps.gstatic.com" "mt0.google.com" "mt1.google.com" "khms0.google.com" "khms1.google.com";
    GOOGLEDRIVE: "drive.google.com" "docs.googleusercontent.com" "drive.googleapis.com";
    GOOGLEDOCS: "docs.google.com" "sheets.google.com" "slides.google.com";
    GOOGLECLASSROOM: "classroom.google.com";
    GOOGLECHAT: "chat.google.com" "chat.googleapis.com";
    GOOGLECLOUD: "cloud.google.com" "googleusercontent.com" "appspot.com" "run.app" "cloudfunctions.net";
    GOOGLE_SERVICES: "googleapis.com" "googletagservices.com" "googletagmanager.com" "gvt1.com" "gvt2.com" "gvt3.com";
    YOUTUBE: "youtube.com" "youtu.be" "ytimg.com" "googlevideo.com" "youtube-nocookie.com" "yt3.ggpht.com" "youtubei.googleapis.com" "youtube.googleapis.com";
    YOUTUBEUPLOAD: "upload.youtube.com" "youtubeupload.googleapis.com";
    GOOGLE: "google.com" "gstatic.com" "gmail.com" "1e100.net" "app-measurement.com" "google-analytics.com" "googlesyndication.com" "doubleclick.net" "googleadservices.com" "ggpht.com" "google.co.uk" "google.de" "google.fr" "google.it" "google.es" "google.co.jp" "google.com.br" "google.ru" "google.ca" "google.co.in" "google.nl" "googlemail.com" "goo.gl" "goog" "ampproject.org" "withgoogle.com" "googleblog.com" "blogspot.com" "android.com" "chromium.org" "gmodules.com" "recaptcha.net" "dns.google";
    INSTAGRAM: "instagram.com" "cdninstagram.com" "ig.me" "instagr.am";
    WHATSAPPFILES: "mmg.whatsapp.net" "media.whatsapp.net" "mms.whatsapp.net";
    WHATSAPP: "whatsapp.net" "whatsapp.com" "wa.me" "whatsapp.biz";
    FACEBOOKMESSENGER: "messenger.com" "m.me" "edge-mqtt.facebook.com";
    FACEBOOK: "facebook.com" "facebook.net" "fbcdn.net" "fbsbx.com" "fb.com" "fb.me" "facebook.de" "tfbnw.net" "fbcdn.com" "accountkit.com" "meta.com" "oculus.com";
    THREADS: "threads.net" "threads.com";
    TWITTER: "twitter.com" "twimg.com" "t.co" "x.com" "twttr.com" "periscope.tv" "pscp.tv";
    NETFLIX: "netflix.com" "nflxvideo.net" "nflximg.net" "nflximg.com" "nflxext.com" "nflxso.net" "netflix.net";
    KAKAOTALK: "kakao.com" "kakao.co.kr" "kakaocdn.net" "daumcdn.net";
    GITHUB: "github.com" "githubusercontent.com" "github.io" "githubassets.com" "githubapp.com";
    GITLAB: "gitlab.com" "gitlab.io" "gitlab-static.net";
    AMAZON_AWS: "amazonaws.com" "awsstatic.com" "aws.amazon.com" "cloudfront.net" "amazonaws.com.cn" "awsglobalaccelerator.com";
    AMAZONALEXA: "alexa.amazon.com" "avs-alexa-na.amazon.com" "pitangui.amazon.com" "alexa.amazon.co.uk" "alexa.amazon.de";
    AMAZONVIDEO: "primevideo.com" "aiv-cdn.net" "aiv-delivery.net" "amazonvideo.com" "atv-ps.amazon.com" "pv-cdn.net";
    AMAZON: "amazon.com" "amazon.co.uk" "amazon.de" "amazon.fr" "amazon.it" "amazon.es" "amazon.co.jp" "amazon.ca" "amazon.in" "images-amazon.com" "ssl-images-amazon.com" "media-amazon.com" "amazon-adsystem.com" "amazontrust.com" "a2z.com" "amzn.to" "amazon.dev";
    TEAMS: "teams.microsoft.com" "teams.live.com" "teams.cdn.office.net" "teams.events.data.microsoft.com" "lync.com" "teams.skype.com";
    SKYPE_TEAMS: "skype.com" "skype.net" "skypeassets.com" "skypedata.akadns.net" "skypeecs-prod-usw-0.cloudapp.net" "hockeyapp.net";
    MS_ONEDRIVE: "onedrive.com" "onedrive.live.com" "1drv.com" "1drv.ms" "storage.live.com" "sharepoint.com";
    MICROSOFT365: "office.com" "office365.com" "office.net" "microsoftonline.com" "microsoftonline-p.com" "msauth.net" "msftauth.net" "officeapps.live.com" "microsoft365.com";
    OUTLOOK: "outlook.com" "outlook.office.com" "outlook.office365.com" "hotmail.com" "outlook.live.com";
    WINDOWSUPDATE: "windowsupdate.com" "update.microsoft.com" "download.windowsupdate.com" "delivery.mp.microsoft.com" "wustat.windows.com";
    XBOX: "xbox.com" "xboxlive.com" "xboxab.com" "xboxservices.com";
    AZURE: "azure.com" "azureedge.net" "azurefd.net" "azurewebsites.net" "cloudapp.net" "cloudapp.azure.com" "windows.net" "azure-api.net" "trafficmanager.net";
    MICROSOFT: "microsoft.com" "live.com" "live.net" "msn.com" "msads.net" "msecnd.net" "bing.com" "bing.net" "msedge.net" "s-microsoft.com" "microsoftstore.com" "windows.com" "visualstudio.com" "appcenter.ms" "msocsp.com" "mstea.ms" "aka.ms" "sfx.ms" "gfx.ms" "passport.net" "msftncsi.com" "msftconnecttest.com";
    CYBERSEC: "abuse.ch" "virustotal.com" "malwarebytes.com" "kaspersky.com" "sophos.com" "crowdstrike.com" "bitdefender.com" "eset.com" "f-secure.com" "mcafee.com" "symantec.com" "trendmicro.com" "sentinelone.net";
    AVAST: "avast.com" "avcdn.net" "avg.com" "ff.avast.com";
    APPLESIRI: "guzzoni.apple.com" "siri.apple.com";
    APPLEPUSH: "push.apple.com" "courier.push.apple.com";
    APPLEICLOUD: "icloud.com" "icloud-content.com" "me.com" "apple-cloudkit.com" "icloud.com.cn";
    APPLEITUNES: "itunes.apple.com" "itunes.com" "mzstatic.com" "music.apple.com";
    APPLESTORE: "apps.apple.com" "appstore.com" "buy.itunes.apple.com";
    APPLE: "apple.com" "cdn-apple.com" "aaplimg.com" "apple-dns.net" "apple.news" "applemusic.com" "appleid.apple.com" "mzstatic.com.cn";
    DROPBOX: "dropbox.com" "dropboxstatic.com" "dropboxusercontent.com" "dropboxapi.com" "db.tt" "getdropbox.com";
    SPOTIFY: "spotify.com" "scdn.co" "spotifycdn.com" "spotify.map.fastly.net" "spoti.fi" "spotilocal.com" "audio-ak-spotify-com.akamaized.net";
    WIKIPEDIA: "wikipedia.org" "wikimedia.org" "wikidata.org" "wiktionary.org" "wikipedia.it" "wikimediafoundation.org" "mediawiki.org";
    LINKEDIN: "linkedin.com" "licdn.com" "lnkd.in";
    TELEGRAM: "telegram.org" "t.me" "telegram.me" "telesco.pe" "tdesktop.com" "telegra.ph" "cdn-telegram.org";
    TIKTOK: "tiktok.com" "tiktokv.com" "tiktokcdn.com" "musical.ly" "byteoversea.com" "ibytedtos.com" "tiktokcdn-us.com" "ttwstatic.com";
    YAHOO: "yahoo.com" "yimg.com" "yahoo.net" "yahooapis.com" "oath.com" "yahoo.co.jp";
    NTOP: "ntop.org";
    CLOUDFLAREWARP: "cloudflareclient.com" "engage.cloudflareclient.com";
    CLOUDFLARE: "cloudflare.com" "cloudflare-ech.com" "cloudflare-dns.com" "cloudflareinsights.com" "cloudflare.net" "one.one.one.one";
    OCSP: "ocsp.digicert.com" "ocsp.pki.goog" "ocsp.sectigo.com" "ocsp.globalsign.com" "ocsp.entrust.net" "ocsp.comodoca.com" "r3.o.lencr.org" "o.lencr.org" "ocsp.apple.com" "ocsp.msocsp.com" "ocsp.usertrust.com" "ocsp.godaddy.com" "ocsp.rootca1.amazontrust.com" "ocsp.actalis.it";
    REDDIT: "reddit.com" "redditmedia.com" "redditstatic.com" "redd.it" "reddituploads.com";
    PINTEREST: "pinterest.com" "pinimg.com" "pinterest.fr" "pinterest.de" "pinterest.co.uk" "pin.it";
    SNAPCHAT: "snapchat.com" "snapads.com" "sc-cdn.net" "snap-dev.net" "snapkit.com" "feelinsonice-hrd.appspot.com";
    ZOOM: "zoom.us" "zoom.com" "zoomgov.com" "zoomcdn.com";
    WEBEX: "webex.com" "wbx2.com" "ciscospark.com" "webexconnect.com";
    SLACK: "slack.com" "slack-edge.com" "slack-msgs.com" "slack-imgs.com" "slack-files.com";
    DISCORD: "discord.com" "discord.gg" "discordapp.com" "discordapp.net" "discord.media" "discordcdn.com";
    SIGNAL: "signal.org" "whispersystems.org" "signal.art" "sgnl.link";
    VIBER: "viber.com" "viber.io" "cdn.viber.com";
    WECHAT: "wechat.com" "weixin.qq.com" "wx.qq.com" "wechatapp.com" "weixinbridge.com";
    QQ: "qq.com" "qqmail.com" "gtimg.cn" "qpic.cn" "gtimg.com" "idqqimg.com";
    LINE: "line.me" "line-apps.com" "line-scdn.net" "naver.jp" "line.naver.jp";
    IMO: "imo.im";
    THREEMA: "threema.ch";
    TWITCH: "twitch.tv" "ttvnw.net" "jtvnw.net" "twitchcdn.net" "twitchsvc.net";
    HULU: "hulu.com" "hulustream.com" "huluim.com";
    DISNEYPLUS: "disneyplus.com" "disney-plus.net" "bamgrid.com" "dssott.com" "disneystreaming.com";
    DAZN: "dazn.com" "dazn-api.com" "indazn.com" "dazndn.com";
    VIMEO: "vimeo.com" "vimeocdn.com";
    DEEZER: "deezer.com" "dzcdn.net";
    SOUNDCLOUD: "soundcloud.com" "sndcdn.com";
    PANDORA: "pandora.com" "p-cdn.com" "p-cdn.us";
    LASTFM: "last.fm" "lastfm.com" "audioscrobbler.com";
    IQIYI: "iqiyi.com" "qy.net" "iqiyipic.com" "71.am";
    P_1KXUN: "1kxun.com" "1kxun.mobi";
    ZATTOO: "zattoo.com" "zahs.tv";
    IFLIX: "iflix.com" "iflixcorp.com";
    OOKLA: "speedtest.net" "ookla.com" "ooklaserver.net";
    STEAM: "steampowered.com" "steamcommunity.com" "steamcontent.com" "steamstatic.com" "steamserver.net" "steamgames.com" "steamusercontent.com";
    PLAYSTATION: "playstation.com" "playstation.net" "sonyentertainmentnetwork.com" "psn.com";
    NINTENDO: "nintendo.com" "nintendo.net" "nintendo.co.jp" "nintendowifi.net";
    EPICGAMES: "epicgames.com" "unrealengine.com" "epicgames.dev" "fortnite.com";
    ELECTRONICARTS: "ea.com" "origin.com" "eaassets-a.akamaihd.net";
    ROBLOX: "roblox.com" "rbxcdn.com";
    RIOTGAMES: "riotgames.com" "leagueoflegends.com" "riotcdn.net" "pvp.net";
    WORLDOFWARCRAFT: "worldofwarcraft.com" "wow.zamimg.com";
    STARCRAFT: "starcraft2.com" "starcraft.com";
    ACTIVISION: "activision.com" "callofduty.com" "demonware.net";
    GAIJINENTERTAINMENT: "gaijin.net" "gaijinent.com" "warthunder.com" "crossout.net";
    NETEASEGAMES: "easebar.com" "163.com" "netease.com" "126.net";
    TENCENTGAMES: "gcloud.qq.com" "igamecj.com" "gamesafe.qq.com";
    GENSHINIMPACT: "hoyoverse.com" "mihoyo.com" "yuanshen.com" "genshinimpact.com";
    GEFORCENOW: "nvidiagrid.net" "geforcenow.com" "play.geforcenow.com";
    DOTA2: "dota2.com";
    TOCABOCA: "tocaboca.com";
    EBAY: "ebay.com" "ebaystatic.com" "ebayimg.com" "ebay.co.uk" "ebay.de" "ebay.it" "ebayrtm.com";
    CNN: "cnn.com" "cnn.io" "cnn.net" "turner.com";
    TUMBLR: "tumblr.com";
    BADOO: "badoo.com" "badoocdn.com";
    LIKEE: "likee.video" "like.video" "likeevideo.com";
    SINA: "sina.com" "sina.cn" "sinajs.cn" "sina.com.cn" "sinaimg.cn";
    SINAWEIBO: "weibo.com" "weibo.cn" "weibocdn.com";
    VK: "vk.com" "vk.me" "vkontakte.ru" "userapi.com" "vkuser.net" "vk-cdn.net";
    YANDEXMAIL: "mail.yandex.ru" "mail.yandex.net";
    YANDEXMUSIC: "music.yandex.ru" "music.yandex.net";
    YANDEXDISK: "disk.yandex.ru" "disk.yandex.net";
    YANDEXMARKET: "market.yandex.ru";
    YANDEXCLOUD: "cloud.yandex.net" "cloud.yandex.ru";
    YANDEXMETRIKA: "mc.yandex.ru" "metrika.yandex.ru";
    YANDEXDIRECT: "direct.yandex.ru" "an.yandex.ru" "yabs.yandex.ru";
    YANDEX: "yandex.ru" "yandex.net" "yandex.com" "yastatic.net" "ya.ru" "yandex.st";
    ALIBABA: "alibaba.com" "alicdn.com" "aliexpress.com" "taobao.com" "tmall.com" "mmstat.com" "alipay.com";
    ALICLOUD: "aliyuncs.com" "aliyun.com" "alibabacloud.com";
    HUAWEICLOUD: "huaweicloud.com" "dbankcdn.com" "hicloud.com" "dbankcloud.com";
    HUAWEI: "huawei.com" "vmall.com" "hihonor.com";
    XIAOMI: "xiaomi.com" "xiaomi.net" "mi.com" "miui.com" "mi-img.com";
    DINGTALK: "dingtalk.com" "dingtalkapps.com";
    SALESFORCE: "salesforce.com" "force.com" "salesforceliveagent.com" "sfdcstatic.com";
    CRASHLYTICS: "crashlytics.com";
    ADS_ANALYTIC_TRACK: "newrelic.com" "nr-data.net" "scorecardresearch.com" "adjust.com" "appsflyer.com" "branch.io" "mixpanel.com" "segment.io" "segment.com" "hotjar.com" "chartbeat.com" "optimizely.com" "quantserve.com" "moatads.com" "adnxs.com" "criteo.com" "taboola.com" "outbrain.com" "rubiconproject.com" "pubmatic.com" "openx.net" "casalemedia.com" "demdex.net" "omtrdc.net" "2mdn.net" "krxd.net" "bluekai.com" "adsrvr.org" "mathtag.com" "turn.com" "advertising.com" "flurry.com" "liftoff.io" "applovin.com" "unity3d.com" "vungle.com" "inmobi.com" "mopub.com" "smaato.net" "rayjump.com";
    ACCUWEATHER: "accuweather.com";
    BLOOMBERG: "bloomberg.com" "bloomberg.net" "bbthat.com";
    PASTEBIN: "pastebin.com";
    PLURALSIGHT: "pluralsight.com";
    WAZE: "waze.com";
    UBUNTUONE: "one.ubuntu.com" "ubuntuone.com";
    CACHEFLY: "cachefly.net";
    MERAKICLOUD: "meraki.com" "meraki.net";
    ANYDESK: "anydesk.com";
    TEAMVIEWER: "teamviewer.com" "teamviewer.net";
    FORTICLIENT: "forticlient.com" "fortinet.com" "fortinet.net";
    TUNNELBEAR: "tunnelbear.com" "polargrizzly.com";
    OPERAVPN: "sec-tunnel.com" "operavpn.com";
    PROTONVPN: "protonvpn.com" "protonvpn.net" "protonvpn.ch";
    NORDVPN: "nordvpn.com" "nordvpn.net" "nordcdn.com";
    SURFSHARK: "surfshark.com";
    WINDSCRIBE: "windscribe.com";
    MULLVAD: "mullvad.net";
    PRIVATEINTERNETACCESS: "privateinternetaccess.com";
    PSIPHON: "psiphon.ca" "psiphon3.com";
    TOR: "torproject.org";
    SD_RTN: "agora.io" "agoralab.co" "sd-rtn.com";
    BLUESKY: "bsky.app" "bsky.social" "bsky.network" "blueskyweb.xyz";
    MASTODON: "mastodon.social" "joinmastodon.org";
    FUZE: "fuze.com" "thinkingphones.com";
    ADOBECONNECT: "adobeconnect.com";
    GOOGLECALL: "calls.google.com";
    SONOS: "sonos.com";
    RIPEATLAS: "atlas.ripe.net";
    DOH_DOT: "dns.quad9.net" "cloudflare-dns.com" "mozilla.cloudflare-dns.com" "doh.opendns.com" "dns.adguard.com" "dns.nextdns.io" "doh.dns.sb" "dns.alidns.com" "doh.pub";
}

/// The automaton over [`HOST_SERVICES`]: each suffix with a leading `.`, matched in
/// `.` + host, ASCII case ignored.
struct HostMatcher {
    ac: AhoCorasick,
}

static HOSTS: LazyLock<Option<HostMatcher>> = LazyLock::new(|| {
    let pats: Vec<String> = HOST_SERVICES.iter().map(|(d, _)| format!(".{d}")).collect();
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::Standard)
        .build(&pats)
        .ok()
        .map(|ac| HostMatcher { ac })
});

/// The well-known service a host name belongs to (longest matching suffix).
pub fn service_for_host(host: &[u8]) -> Option<Proto> {
    let host = host.strip_suffix(b".").unwrap_or(host);
    if host.is_empty() || host.len() > MAX_HOST {
        return None;
    }
    let m = HOSTS.as_ref()?;
    let mut buf = [0u8; MAX_HOST + 1];
    let text = buf.get_mut(..=host.len())?;
    let (dot, rest) = text.split_first_mut()?;
    *dot = b'.';
    rest.copy_from_slice(host);
    let text = &*text;
    let mut best: Option<(usize, Proto)> = None;
    for hit in m.ac.find_overlapping_iter(text) {
        if hit.end() != text.len() {
            continue;
        }
        let len = hit.end() - hit.start();
        if best.is_none_or(|(l, _)| len > l)
            && let Some((_, app)) = HOST_SERVICES.get(hit.pattern().as_usize())
        {
            best = Some((len, *app));
        }
    }
    best.map(|(_, app)| app)
}

/// Address ranges of well-known services (IPv4 and IPv6), used only when a flow's
/// content named nothing, as nDPI's IP-based match does.
pub const IP_SERVICES: &[(&str, Proto)] = &[
    // Google
    ("8.8.4.0/24", Proto::GOOGLE),
    ("8.8.8.0/24", Proto::GOOGLE),
    ("8.34.208.0/20", Proto::GOOGLE),
    ("8.35.192.0/20", Proto::GOOGLE),
    ("64.233.160.0/19", Proto::GOOGLE),
    ("66.102.0.0/20", Proto::GOOGLE),
    ("66.249.64.0/19", Proto::GOOGLE),
    ("72.14.192.0/18", Proto::GOOGLE),
    ("74.125.0.0/16", Proto::GOOGLE),
    ("108.177.0.0/17", Proto::GOOGLE),
    ("142.250.0.0/15", Proto::GOOGLE),
    ("172.217.0.0/16", Proto::GOOGLE),
    ("172.253.0.0/16", Proto::GOOGLE),
    ("173.194.0.0/16", Proto::GOOGLE),
    ("209.85.128.0/17", Proto::GOOGLE),
    ("216.58.192.0/19", Proto::GOOGLE),
    ("216.239.32.0/19", Proto::GOOGLE),
    ("2001:4860::/32", Proto::GOOGLE),
    ("2404:6800::/32", Proto::GOOGLE),
    ("2607:f8b0::/32", Proto::GOOGLE),
    ("2800:3f0::/32", Proto::GOOGLE),
    ("2a00:1450::/32", Proto::GOOGLE),
    ("2c0f:fb50::/32", Proto::GOOGLE),
    // Meta (Facebook, WhatsApp, Instagram share these blocks; nDPI names them Facebook)
    ("31.13.24.0/21", Proto::FACEBOOK),
    ("31.13.64.0/18", Proto::FACEBOOK),
    ("45.64.40.0/22", Proto::FACEBOOK),
    ("66.220.144.0/20", Proto::FACEBOOK),
    ("69.63.176.0/20", Proto::FACEBOOK),
    ("69.171.224.0/19", Proto::FACEBOOK),
    ("74.119.76.0/22", Proto::FACEBOOK),
    ("102.132.96.0/20", Proto::FACEBOOK),
    ("129.134.0.0/16", Proto::FACEBOOK),
    ("157.240.0.0/16", Proto::FACEBOOK),
    ("173.252.64.0/18", Proto::FACEBOOK),
    ("179.60.192.0/22", Proto::FACEBOOK),
    ("185.60.216.0/22", Proto::FACEBOOK),
    ("204.15.20.0/22", Proto::FACEBOOK),
    ("2620:0:1c00::/40", Proto::FACEBOOK),
    ("2a03:2880::/32", Proto::FACEBOOK),
    // Telegram
    ("91.105.192.0/23", Proto::TELEGRAM),
    ("91.108.4.0/22", Proto::TELEGRAM),
    ("91.108.8.0/22", Proto::TELEGRAM),
    ("91.108.12.0/22", Proto::TELEGRAM),
    ("91.108.16.0/22", Proto::TELEGRAM),
    ("91.108.20.0/22", Proto::TELEGRAM),
    ("91.108.56.0/22", Proto::TELEGRAM),
    ("95.161.64.0/20", Proto::TELEGRAM),
    ("149.154.160.0/20", Proto::TELEGRAM),
    ("185.76.151.0/24", Proto::TELEGRAM),
    ("2001:67c:4e8::/48", Proto::TELEGRAM),
    ("2001:b28:f23c::/46", Proto::TELEGRAM),
    ("2a0a:f280::/32", Proto::TELEGRAM),
    // Apple
    ("17.0.0.0/8", Proto::APPLE),
    ("2620:149::/32", Proto::APPLE),
    ("2a01:b740::/32", Proto::APPLE),
    // Microsoft
    ("13.64.0.0/11", Proto::MICROSOFT),
    ("13.104.0.0/14", Proto::MICROSOFT),
    ("20.33.0.0/16", Proto::MICROSOFT),
    ("20.34.0.0/15", Proto::MICROSOFT),
    ("20.36.0.0/14", Proto::MICROSOFT),
    ("20.40.0.0/13", Proto::MICROSOFT),
    ("20.48.0.0/12", Proto::MICROSOFT),
    ("20.64.0.0/10", Proto::MICROSOFT),
    ("20.128.0.0/16", Proto::MICROSOFT),
    ("20.135.0.0/16", Proto::MICROSOFT),
    ("20.136.0.0/16", Proto::MICROSOFT),
    ("20.150.0.0/15", Proto::MICROSOFT),
    ("20.152.0.0/15", Proto::MICROSOFT),
    ("20.160.0.0/12", Proto::MICROSOFT),
    ("20.176.0.0/14", Proto::MICROSOFT),
    ("20.180.0.0/14", Proto::MICROSOFT),
    ("20.184.0.0/13", Proto::MICROSOFT),
    ("20.192.0.0/10", Proto::MICROSOFT),
    ("40.64.0.0/10", Proto::MICROSOFT),
    ("52.96.0.0/12", Proto::MICROSOFT365),
    ("52.112.0.0/14", Proto::TEAMS),
    ("52.120.0.0/14", Proto::TEAMS),
    ("65.52.0.0/14", Proto::MICROSOFT),
    ("104.40.0.0/13", Proto::MICROSOFT),
    ("131.253.0.0/16", Proto::MICROSOFT),
    ("134.170.0.0/16", Proto::MICROSOFT),
    ("137.116.0.0/15", Proto::MICROSOFT),
    ("157.54.0.0/15", Proto::MICROSOFT),
    ("157.56.0.0/14", Proto::MICROSOFT),
    ("191.232.0.0/13", Proto::MICROSOFT),
    ("204.79.197.0/24", Proto::MICROSOFT),
    ("2603:1000::/24", Proto::MICROSOFT),
    ("2620:1ec::/36", Proto::MICROSOFT),
    // Amazon Web Services (the largest blocks)
    ("3.0.0.0/9", Proto::AMAZON_AWS),
    ("3.128.0.0/9", Proto::AMAZON_AWS),
    ("13.32.0.0/15", Proto::AMAZON_AWS),
    ("13.208.0.0/12", Proto::AMAZON_AWS),
    ("15.177.0.0/16", Proto::AMAZON_AWS),
    ("18.128.0.0/9", Proto::AMAZON_AWS),
    ("34.192.0.0/10", Proto::AMAZON_AWS),
    ("35.152.0.0/13", Proto::AMAZON_AWS),
    ("35.160.0.0/12", Proto::AMAZON_AWS),
    ("44.192.0.0/10", Proto::AMAZON_AWS),
    ("50.16.0.0/14", Proto::AMAZON_AWS),
    ("52.0.0.0/11", Proto::AMAZON_AWS),
    ("52.32.0.0/11", Proto::AMAZON_AWS),
    ("52.64.0.0/12", Proto::AMAZON_AWS),
    ("52.192.0.0/11", Proto::AMAZON_AWS),
    ("54.64.0.0/11", Proto::AMAZON_AWS),
    ("54.144.0.0/12", Proto::AMAZON_AWS),
    ("54.160.0.0/11", Proto::AMAZON_AWS),
    ("54.192.0.0/12", Proto::AMAZON_AWS),
    ("54.208.0.0/13", Proto::AMAZON_AWS),
    ("54.216.0.0/14", Proto::AMAZON_AWS),
    ("54.220.0.0/15", Proto::AMAZON_AWS),
    ("54.224.0.0/11", Proto::AMAZON_AWS),
    ("99.77.128.0/17", Proto::AMAZON_AWS),
    ("107.20.0.0/14", Proto::AMAZON_AWS),
    ("174.129.0.0/16", Proto::AMAZON_AWS),
    ("184.72.0.0/15", Proto::AMAZON_AWS),
    ("2600:1f00::/24", Proto::AMAZON_AWS),
    ("2a05:d000::/25", Proto::AMAZON_AWS),
    // Cloudflare
    ("1.1.1.0/24", Proto::CLOUDFLARE),
    ("1.0.0.0/24", Proto::CLOUDFLARE),
    ("103.21.244.0/22", Proto::CLOUDFLARE),
    ("103.22.200.0/22", Proto::CLOUDFLARE),
    ("104.16.0.0/13", Proto::CLOUDFLARE),
    ("104.24.0.0/14", Proto::CLOUDFLARE),
    ("108.162.192.0/18", Proto::CLOUDFLARE),
    ("141.101.64.0/18", Proto::CLOUDFLARE),
    ("162.158.0.0/15", Proto::CLOUDFLARE),
    ("172.64.0.0/13", Proto::CLOUDFLARE),
    ("173.245.48.0/20", Proto::CLOUDFLARE),
    ("188.114.96.0/20", Proto::CLOUDFLARE),
    ("190.93.240.0/20", Proto::CLOUDFLARE),
    ("197.234.240.0/22", Proto::CLOUDFLARE),
    ("198.41.128.0/17", Proto::CLOUDFLARE),
    ("2400:cb00::/32", Proto::CLOUDFLARE),
    ("2606:4700::/32", Proto::CLOUDFLARE),
    ("2803:f800::/32", Proto::CLOUDFLARE),
    ("2a06:98c0::/29", Proto::CLOUDFLARE),
    // Netflix (Open Connect)
    ("23.246.0.0/18", Proto::NETFLIX),
    ("37.77.184.0/21", Proto::NETFLIX),
    ("45.57.0.0/17", Proto::NETFLIX),
    ("64.120.128.0/17", Proto::NETFLIX),
    ("66.197.128.0/17", Proto::NETFLIX),
    ("108.175.32.0/20", Proto::NETFLIX),
    ("185.2.220.0/22", Proto::NETFLIX),
    ("185.9.188.0/22", Proto::NETFLIX),
    ("192.173.64.0/18", Proto::NETFLIX),
    ("198.38.96.0/19", Proto::NETFLIX),
    ("198.45.48.0/20", Proto::NETFLIX),
    ("2a00:86c0::/32", Proto::NETFLIX),
    // Alibaba Cloud
    ("8.208.0.0/12", Proto::ALICLOUD),
    ("47.74.0.0/15", Proto::ALICLOUD),
    ("47.88.0.0/14", Proto::ALICLOUD),
    ("47.235.0.0/16", Proto::ALICLOUD),
    ("47.236.0.0/14", Proto::ALICLOUD),
    ("47.240.0.0/14", Proto::ALICLOUD),
    ("47.244.0.0/15", Proto::ALICLOUD),
    ("47.246.0.0/16", Proto::ALICLOUD),
    ("47.250.0.0/15", Proto::ALICLOUD),
    ("47.252.0.0/15", Proto::ALICLOUD),
    ("47.254.0.0/16", Proto::ALICLOUD),
    // Zoom
    ("3.7.35.0/25", Proto::ZOOM),
    ("3.21.137.128/25", Proto::ZOOM),
    ("3.22.11.0/24", Proto::ZOOM),
    ("3.23.93.0/24", Proto::ZOOM),
    ("3.25.41.128/25", Proto::ZOOM),
    ("3.25.42.0/25", Proto::ZOOM),
    ("8.5.128.0/23", Proto::ZOOM),
    ("52.61.100.128/25", Proto::ZOOM),
    ("64.211.144.0/24", Proto::ZOOM),
    ("64.224.32.0/19", Proto::ZOOM),
    ("69.174.57.0/24", Proto::ZOOM),
    ("69.174.108.0/22", Proto::ZOOM),
    ("101.36.167.0/24", Proto::ZOOM),
    ("103.122.166.0/23", Proto::ZOOM),
    ("111.33.115.0/25", Proto::ZOOM),
    ("115.110.154.192/26", Proto::ZOOM),
    ("115.114.56.192/26", Proto::ZOOM),
    ("115.114.115.0/26", Proto::ZOOM),
    ("115.114.131.0/26", Proto::ZOOM),
    ("120.29.148.0/24", Proto::ZOOM),
    ("129.151.0.0/19", Proto::ZOOM),
    ("129.159.0.0/20", Proto::ZOOM),
    ("130.61.164.0/22", Proto::ZOOM),
    ("134.224.0.0/16", Proto::ZOOM),
    ("144.195.0.0/16", Proto::ZOOM),
    ("147.124.96.0/19", Proto::ZOOM),
    ("149.137.0.0/17", Proto::ZOOM),
    ("156.45.0.0/17", Proto::ZOOM),
    ("159.124.0.0/16", Proto::ZOOM),
    ("160.1.56.128/25", Proto::ZOOM),
    ("161.199.136.0/22", Proto::ZOOM),
    ("162.12.232.0/22", Proto::ZOOM),
    ("162.255.36.0/22", Proto::ZOOM),
    ("165.254.88.0/23", Proto::ZOOM),
    ("166.108.64.0/18", Proto::ZOOM),
    ("170.114.0.0/16", Proto::ZOOM),
    ("173.231.80.0/20", Proto::ZOOM),
    ("192.204.12.0/22", Proto::ZOOM),
    ("198.251.128.0/17", Proto::ZOOM),
    ("202.177.207.128/27", Proto::ZOOM),
    ("204.80.104.0/21", Proto::ZOOM),
    ("204.141.28.0/22", Proto::ZOOM),
    ("206.247.0.0/16", Proto::ZOOM),
    ("207.226.132.0/24", Proto::ZOOM),
    ("209.9.211.0/24", Proto::ZOOM),
    ("209.9.215.0/24", Proto::ZOOM),
    ("213.19.144.0/24", Proto::ZOOM),
    ("213.19.153.0/24", Proto::ZOOM),
    ("213.244.140.0/24", Proto::ZOOM),
    ("221.122.63.0/24", Proto::ZOOM),
    ("221.122.64.0/24", Proto::ZOOM),
    ("221.122.88.64/27", Proto::ZOOM),
    ("221.122.88.128/25", Proto::ZOOM),
    ("221.122.89.128/25", Proto::ZOOM),
    ("221.123.139.192/27", Proto::ZOOM),
    // Threema, Discord media, Zoom (Europe)
    ("185.88.236.0/22", Proto::THREEMA),
    ("66.22.192.0/18", Proto::DISCORD),
    ("109.94.160.0/22", Proto::ZOOM),
    // Tencent (QQ, WeChat)
    ("101.226.0.0/16", Proto::QQ),
    ("183.3.224.0/19", Proto::QQ),
    ("203.205.128.0/17", Proto::WECHAT),
    // Spotify
    ("78.31.8.0/21", Proto::SPOTIFY),
    ("193.235.32.0/22", Proto::SPOTIFY),
    ("194.68.28.0/22", Proto::SPOTIFY),
    // Dropbox
    ("108.160.160.0/20", Proto::DROPBOX),
    ("162.125.0.0/16", Proto::DROPBOX),
    ("199.47.216.0/22", Proto::DROPBOX),
    // Twitter
    ("69.195.160.0/19", Proto::TWITTER),
    ("104.244.40.0/21", Proto::TWITTER),
    ("192.133.76.0/22", Proto::TWITTER),
    ("199.16.156.0/22", Proto::TWITTER),
    ("199.59.148.0/22", Proto::TWITTER),
    // Akamai-hosted or other CDNs are not named: nDPI does not either.
    // Steam (Valve)
    ("103.10.124.0/23", Proto::STEAM),
    ("146.66.152.0/21", Proto::STEAM),
    ("155.133.224.0/19", Proto::STEAM),
    ("162.254.192.0/21", Proto::STEAM),
    ("185.25.180.0/22", Proto::STEAM),
    ("190.217.32.0/22", Proto::STEAM),
    ("192.69.96.0/22", Proto::STEAM),
    ("205.196.6.0/24", Proto::STEAM),
    ("208.64.200.0/22", Proto::STEAM),
    ("208.78.164.0/22", Proto::STEAM),
    // Riot Games
    ("104.160.128.0/19", Proto::RIOTGAMES),
    ("185.40.64.0/22", Proto::RIOTGAMES),
    ("192.64.168.0/21", Proto::RIOTGAMES),
    // Tor directory authorities are not stable: not listed.
    // Yandex
    ("5.45.192.0/18", Proto::YANDEX),
    ("5.255.192.0/18", Proto::YANDEX),
    ("77.88.0.0/18", Proto::YANDEX),
    ("87.250.224.0/19", Proto::YANDEX),
    ("93.158.128.0/18", Proto::YANDEX),
    ("95.108.128.0/17", Proto::YANDEX),
    ("213.180.192.0/19", Proto::YANDEX),
    ("2a02:6b8::/32", Proto::YANDEX),
    // Cybersec (abuse.ch, VirusTotal …) are name-based only.
    // Ookla speed test servers are many hosters: name-based only.
    // GitHub
    ("140.82.112.0/20", Proto::GITHUB),
    ("143.55.64.0/20", Proto::GITHUB),
    ("185.199.108.0/22", Proto::GITHUB),
    ("192.30.252.0/22", Proto::GITHUB),
    ("2a0a:a440::/29", Proto::GITHUB),
    // Microsoft Teams / Skype media relays
    ("13.107.64.0/18", Proto::SKYPE_TEAMS),
    // Edge-cast/others omitted.
];

static IPS: LazyLock<PrefixMap<Proto>> = LazyLock::new(|| {
    let mut m = PrefixMap::default();
    for (net, app) in IP_SERVICES {
        if let Ok(n) = net.parse::<IpNet>() {
            m.insert(n.trunc(), *app);
        }
    }
    m
});

/// The well-known service an address belongs to (longest matching prefix).
pub fn service_for_ip(ip: IpAddr) -> Option<Proto> {
    IPS.get(ip).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_match_on_label_boundaries_longest_first() {
        assert_eq!(service_for_host(b"www.youtube.com"), Some(Proto::YOUTUBE));
        assert_eq!(service_for_host(b"YouTube.com."), Some(Proto::YOUTUBE));
        assert_eq!(service_for_host(b"notyoutube.com"), None);
        assert_eq!(
            service_for_host(b"meet.google.com"),
            Some(Proto::GOOGLE_MEET)
        );
        assert_eq!(service_for_host(b"x.google.com"), Some(Proto::GOOGLE));
        assert_eq!(
            service_for_host(b"mmg.whatsapp.net"),
            Some(Proto::WHATSAPPFILES)
        );
        assert_eq!(service_for_host(b"e7.whatsapp.net"), Some(Proto::WHATSAPP));
        assert_eq!(service_for_host(b""), None);
        assert_eq!(service_for_host(&[b'a'; 300]), None);
        assert_eq!(service_for_host(b"com"), None);
    }

    #[test]
    fn every_host_entry_parses_and_is_reachable() {
        for (d, app) in HOST_SERVICES {
            assert!(
                !d.is_empty() && !d.starts_with('.') && !d.ends_with('.'),
                "{d}"
            );
            // An entry is shadowed only by a later duplicate of itself.
            let got = service_for_host(d.as_bytes());
            assert!(got.is_some(), "{d} finds nothing");
            if got != Some(*app) {
                let dup = HOST_SERVICES.iter().filter(|(x, _)| x == d).count();
                assert!(dup > 1, "{d}: {got:?} instead of {app:?}");
            }
        }
    }

    #[test]
    fn addresses_longest_prefix() {
        let ip = |s: &str| s.parse::<IpAddr>().expect("address");
        assert_eq!(service_for_ip(ip("216.239.38.120")), Some(Proto::GOOGLE));
        assert_eq!(service_for_ip(ip("91.108.8.1")), Some(Proto::TELEGRAM));
        assert_eq!(
            service_for_ip(ip("2a03:2880:f11f:83:face:b00c::25de")),
            Some(Proto::FACEBOOK)
        );
        assert_eq!(service_for_ip(ip("10.0.0.1")), None);
        assert_eq!(service_for_ip(ip("::1")), None);
        for (net, _) in IP_SERVICES {
            assert!(net.parse::<IpNet>().is_ok(), "{net}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_name_is_safe(name in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400)) {
            let _ = service_for_host(&name);
        }
    }
}
