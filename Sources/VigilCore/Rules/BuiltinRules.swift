// Generated from Rules/ by `VIGIL_UPDATE=1 swift test --filter BuiltinRules`; do not edit by hand.
// The files under Rules/ are the source; a test fails when this copy differs from them.
enum BuiltinRules {
    static let files: [(path: String, text: String)] = [
        ("patterns/grok-patterns", ##"""
# vigil's grok pattern library: one `NAME regex` per line (Logstash format).
# Use in patterns as %{NAME} or %{NAME:field}. Regexes are PCRE2, matched on bytes.
USERNAME [a-zA-Z0-9._-]+
USER %{USERNAME}
EMAILLOCALPART [a-zA-Z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-zA-Z0-9!#$%&'*+/=?^_`{|}~-]+)*
EMAILADDRESS %{EMAILLOCALPART}@%{HOSTNAME}
INT (?:[+-]?(?:[0-9]+))
BASE10NUM (?<![0-9.+-])(?>[+-]?(?:(?:[0-9]+(?:\.[0-9]+)?)|(?:\.[0-9]+)))
NUMBER (?:%{BASE10NUM})
BASE16NUM (?<![0-9A-Fa-f])(?:[+-]?(?:0x)?(?:[0-9A-Fa-f]+))
POSINT \b(?:[1-9][0-9]*)\b
NONNEGINT \b(?:[0-9]+)\b
WORD \b\w+\b
NOTSPACE \S+
SPACE \s*
DATA .*?
GREEDYDATA .*
QUOTEDSTRING (?>(?<!\\)(?>"(?>\\.|[^\\"]+)+"|""|(?>'(?>\\.|[^\\']+)+')|''|(?>`(?>\\.|[^\\`]+)+`)|``))
QS %{QUOTEDSTRING}
UUID [A-Fa-f0-9]{8}-(?:[A-Fa-f0-9]{4}-){3}[A-Fa-f0-9]{12}
MAC (?:[A-Fa-f0-9]{2}:){5}[A-Fa-f0-9]{2}
IPV6 (?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{0,4}|(?:[0-9]{1,3}\.){3}[0-9]{1,3})
IPV4 (?<![0-9])(?:(?:[0-1]?[0-9]{1,2}|2[0-4][0-9]|25[0-5])[.](?:[0-1]?[0-9]{1,2}|2[0-4][0-9]|25[0-5])[.](?:[0-1]?[0-9]{1,2}|2[0-4][0-9]|25[0-5])[.](?:[0-1]?[0-9]{1,2}|2[0-4][0-9]|25[0-5]))(?![0-9])
IP (?:%{IPV6}|%{IPV4})
HOSTNAME \b(?:[0-9A-Za-z][0-9A-Za-z-]{0,62})(?:\.(?:[0-9A-Za-z][0-9A-Za-z-]{0,62}))*(?:\.?|\b)
IPORHOST (?:%{IP}|%{HOSTNAME})
HOSTPORT %{IPORHOST}:%{POSINT}
UNIXPATH (?>/(?>[\w_%!$@:.,+~-]+|\\.)*)+
URIPROTO [A-Za-z][A-Za-z0-9+\-.]+
URIHOST %{IPORHOST}(?::%{POSINT})?
URIPATH (?:/[A-Za-z0-9$.+!*'(){},~:;=@#%&_\-]*)+
URIPARAM \?[A-Za-z0-9$.+!*'|(){},~@#%&/=:;_?\-\[\]<>]*
URIPATHPARAM %{URIPATH}(?:%{URIPARAM})?
URI %{URIPROTO}://(?:%{USER}(?::[^@]*)?@)?(?:%{URIHOST})?(?:%{URIPATHPARAM})?
MONTH \b(?:[Jj]an(?:uary)?|[Ff]eb(?:ruary)?|[Mm]ar(?:ch)?|[Aa]pr(?:il)?|[Mm]ay|[Jj]un(?:e)?|[Jj]ul(?:y)?|[Aa]ug(?:ust)?|[Ss]ep(?:tember)?|[Oo]ct(?:ober)?|[Nn]ov(?:ember)?|[Dd]ec(?:ember)?)\b
MONTHNUM (?:0?[1-9]|1[0-2])
MONTHDAY (?:(?:0[1-9])|(?:[12][0-9])|(?:3[01])|[1-9])
DAY (?:Mon(?:day)?|Tue(?:sday)?|Wed(?:nesday)?|Thu(?:rsday)?|Fri(?:day)?|Sat(?:urday)?|Sun(?:day)?)
YEAR (?>\d\d){1,2}
HOUR (?:2[0123]|[01]?[0-9])
MINUTE (?:[0-5][0-9])
SECOND (?:(?:[0-5]?[0-9]|60)(?:[:.,][0-9]+)?)
TIME (?!<[0-9])%{HOUR}:%{MINUTE}(?::%{SECOND})(?![0-9])
DATE_US %{MONTHNUM}[/-]%{MONTHDAY}[/-]%{YEAR}
DATE_EU %{MONTHDAY}[./-]%{MONTHNUM}[./-]%{YEAR}
ISO8601_TIMEZONE (?:Z|[+-]%{HOUR}(?::?%{MINUTE})?)
ISO8601_SECOND (?:%{SECOND}|60)
TIMESTAMP_ISO8601 %{YEAR}-%{MONTHNUM}-%{MONTHDAY}[T ]%{HOUR}:?%{MINUTE}(?::?%{SECOND})?%{ISO8601_TIMEZONE}?
HTTPDATE %{MONTHDAY}/%{MONTH}/%{YEAR}:%{TIME} %{INT}
SYSLOGTIMESTAMP %{MONTH} +%{MONTHDAY} %{TIME}
PROG [\x21-\x5a\x5c\x5e-\x7e]+?
SYSLOGPROG %{PROG:program}(?:\[%{POSINT:pid}\])?
SYSLOGHOST %{IPORHOST}
SYSLOGFACILITY <%{NONNEGINT:facility}.%{NONNEGINT:priority}>
HTTPDUSER %{EMAILADDRESS}|%{USER}
LOGLEVEL (?:[Aa]lert|ALERT|[Tt]race|TRACE|[Dd]ebug|DEBUG|[Nn]otice|NOTICE|[Ii]nfo(?:rmation)?|INFO(?:RMATION)?|[Ww]arn(?:ing)?|WARN(?:ING)?|[Ee]rr(?:or)?|ERR(?:OR)?|[Cc]rit(?:ical)?|CRIT(?:ICAL)?|[Ff]atal|FATAL|[Ss]evere|SEVERE|EMERG(?:ENCY)?|[Ee]merg(?:ency)?|PANIC|[Pp]anic)
COMMONAPACHELOG %{IPORHOST:clientip} %{HTTPDUSER:ident} %{HTTPDUSER:auth} \[%{HTTPDATE:ts}\] "(?:%{WORD:verb} %{NOTSPACE:request}(?: HTTP/%{NUMBER:httpversion})?|%{DATA:rawrequest})" %{NUMBER:status} (?:%{NUMBER:bytes}|-)
COMBINEDAPACHELOG %{COMMONAPACHELOG} %{QS:referrer} %{QS:agent}
"""##),
        ("patterns/vigil-patterns", ##"""
# Lean building blocks of vigil's built-in formats. A format's pattern runs on every line, so these
# are as specific as a log line needs and no more; vigil's own parsers then validate the values
# (a timestamp that matches here but is not a date still fails as bad_timestamp).
VIGIL_ISO_TS \d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d(?::?\d\d)?)?
VIGIL_SYSLOG_TS [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d(?:\.\d+)?
VIGIL_LEVEL (?i:trace|debug|info(?:rmation)?|notice|warn(?:ing)?|err(?:or)?|crit(?:ical)?|fatal|severe|alert|emerg(?:ency)?|panic)
VIGIL_QUOTED "(?:[^"\\]|\\.)*"
"""##),
        ("changes.rules", ##"""
# Built-in change recognition: lines that announce a deploy, restart, config reload, version change
# or package upgrade. Each becomes a `kind: change` record, and incidents of the changed service that
# start soon after list it in `change_ids`. Every key is documented in Rules/README.md.
# Patterns run on the message of a line (the whole line when the format captured no message), only
# when it contains `keyword`, so they cost nothing on ordinary lines.

[change deploy]
# deploy service=payments version=2.14.0 / deploy of payments version 2.14.0
keyword = deploy
pattern = \bdeploy(?:ed|ing|ment)?\b.*?\b(?:service|app)[=: ]\s*(?<service>[\w.-]+).*?\bversion[=: ]\s*v?(?<version>[\w.+-]+)
kind = deploy
summary = deploy of {service} {version}

[change deployed]
# deployed payments version 2.14.0 / Deployed payments 2.14.0
keyword = eploy
pattern = \b[Dd]eployed\s+(?<service>[\w.-]+)\s+(?:version\s+|v)?(?<version>\d[\w.+-]*)
kind = deploy
summary = deploy of {service} {version}

[change systemd-started]
# systemd: Started payments.service - Payments API.
keyword = Started
pattern = ^Started (?<unit>[\w@.-]+?)(?:\.service)?(?: - .*)?\.?$
kind = restart
summary = start of {service}

[change systemd-stopped]
# systemd: Stopped payments.service - Payments API.
keyword = Stopped
pattern = ^Stopped (?<unit>[\w@.-]+?)(?:\.service)?(?: - .*)?\.?$
kind = restart
summary = stop of {service}

[change systemd-reloaded]
# systemd: Reloaded nginx.service - A high performance web server.
keyword = Reloaded
pattern = ^Reloaded (?<unit>[\w@.-]+?)(?:\.service)?(?: - .*)?\.?$
kind = config_reload
summary = config reload of {service}

[change config-reload]
# configuration reloaded / config reload complete / reloading configuration
keyword = onfig
pattern = (?i)\b(?:config(?:uration)?\s+(?:reload(?:ed)?|re-?read)|reload(?:ed|ing)?\s+(?:the\s+)?config(?:uration)?)\b
kind = config_reload
summary = config reload of {service}

[change version]
# starting payments version 2.14.0 / payments v2.14.0 starting
keyword = version
pattern = (?i)\b(?:starting|started|running)\b.*?\bversion[=: ]\s*v?(?<version>\d[\w.+-]*)
kind = version_change
summary = {service} now at version {version}

[change dpkg]
# dpkg.log: 2026-11-26 10:00:00 upgrade openssl:amd64 3.0.2-0ubuntu1.10 3.0.2-0ubuntu1.12
keyword = upgrade
pattern = \bupgrade (?<service>[\w.+-]+?)(?::\w+)? (?<from>\S+) (?<version>\S+)\s*$
kind = package_upgrade
summary = upgrade of {service} {from} -> {version}

[change apt]
# apt history / term.log: Unpacking openssl (3.0.2-0ubuntu1.12) over (3.0.2-0ubuntu1.10) ...
keyword = over (
pattern = \bUnpacking (?<service>[\w.+-]+?)(?::\w+)? \((?<version>[^)]+)\) over \((?<from>[^)]+)\)
kind = package_upgrade
summary = upgrade of {service} {from} -> {version}
"""##),
        ("detectors.rules", ##"""
# Built-in windowing and detectors. Every key is documented in Rules/README.md.

[defaults]
window = 5m
step = 1m
lateness = 1m
max_jump = 1h
change_lookback = 30m
change_verify = 15m
season = 1d
learning = 30m
problem_recurrence = 2
problem_expiry = 7d

[detector error_ratio]
# Error-ratio rise against the service's own baseline, opened on evidence and a material effect:
# over the trailing 1 … 5 steps, the errors must be beyond chance (one-sided p-value below
# `significance` against the baseline ratio, allowing for the baseline's own uncertainty and for
# errors that come in clumps) and the ratio at least `factor` × baseline and baseline + `min_delta`.
type = error_ratio
alertname = ErrorRatioHigh
severity = error
tier = L2
significance = 1e-6
factor = 1.5
min_delta = 0.5%
floor = 0%
min_events = 20
min_errors = 5
for = 1m
resolve_for = 3m
resolve_below = 0.8
baseline = 1h
warmup = 10m
critical_at = 25%

[detector latency]
# Latency-percentile regression against the service's own baseline, by distribution shift: over
# the trailing 1 … 5 steps, more values lie above the baseline percentile than chance allows
# (binomial exceedance test at `significance`), and the percentile is at least `factor` × baseline
# and baseline + `min_delta_ms`.
type = latency
alertname = LatencyHigh
severity = warning
tier = L2
percentile = 95
significance = 1e-6
factor = 1.2
min_delta_ms = 5
floor_ms = 0
min_events = 20
for = 1m
resolve_for = 3m
resolve_below = 0.95
baseline = 1h
warmup = 10m
critical_factor = 5

[detector novelty]
# New error templates: a template of warning-or-worse messages that the service did not log while
# it was learned (its first `[defaults] learning` of event time, or the persisted --state).
type = novelty
alertname = NewErrorTemplate
severity = warning
tier = L2
candidate_min = 5
min_events = 10
for = 1m
resolve_for = 5m

[detector absence]
# A service that was logging steadily falls silent, relative to its own rate.
type = absence
alertname = ServiceSilent
severity = error
tier = L2
min_events = 10
below = 10%
for = 2m
resolve_for = 3m
resolve_below = 0.5
baseline = 1h
warmup = 10m

[detector volume]
# Events per step far above (VolumeSpike) or below (VolumeDrop) what the shared load predicts for
# the service: each step's count is divided by the fleet's load factor (the median, over the
# services, of their count against their own usual count), so a load wave that every service
# rides is not an anomaly; a service that departs from it is. Informational (severity info, not
# paged) unless a rule says otherwise. A drop to silence is left to absence.
type = volume
alertname = VolumeSpike
drop_alertname = VolumeDrop
severity = info
tier = L2
direction = both
factor = 3
deviations = 3
min_events = 10
for = 2m
resolve_for = 3m
resolve_below = 0.5
baseline = 1h
warmup = 10m

[detector slo]
# SLO error-budget burn rate (multi-window, multi-burn-rate). Silent until a service has an
# objective, e.g. `[service checkout]` `slo.objective = 99.9%`.
type = burn_rate
alertname = SLOBurnRate
tier = L1
min_events = 20
resolve_below = 1
"""##),
        ("formats.rules", ##"""
# Built-in log formats, tried in this order for each line; the first that matches takes it (a
# format is not tried on a line whose first byte it cannot start with). The patterns use the lean building
# blocks of patterns/vigil-patterns rather than the general grok library, because they run on every
# line; any grok name works in your own formats. Named captures become fields; the ones vigil uses are:
#   ts          event time (RFC 3339, nginx, syslog, epoch s/ms/µs: see Rules/README.md)
#   level       TRACE … FATAL, syslog words, or a PRIORITY/severity digit
#   pri         syslog <PRI> (severity = PRI % 8), used when there is no level
#   service     the service the line belongs to (else the format's `service`, else the source name)
#   status      HTTP status; >= 500 counts as an error
#   latency_ms  latency in milliseconds; latency_s in seconds (nginx $request_time)
#   message     the message text (template mining, evidence)
#   kv          trailing key=value fields, scanned like logfmt (upstream=, service=, rt=, latency_ms= …)

[format json]
# JSON-lines app logs and `journalctl -o json` (journald's field names are known).
type = json

[format app]
# TIMESTAMP LEVEL [service] message key=value (Log4j/Logback/Python logging style).
pattern = ^(?<ts>%{VIGIL_ISO_TS})\s+(?<level>%{VIGIL_LEVEL}):?\s+(?:\[(?<service>[^\]\s]+)\]\s+)?(?<message>.*)$

[format logback]
# Logback/Log4j default layout: TIMESTAMP [thread] LEVEL logger - message
pattern = ^(?<ts>%{VIGIL_ISO_TS})\s+\[(?<thread>[^\]]*)\]\s+(?<level>%{VIGIL_LEVEL})\s+(?<logger>\S+)\s+-\s+(?<message>.*)$

[format nginx]
# nginx/Apache combined access log, with optional trailing key=value fields (rt=$request_time upstream=…).
pattern = ^(?<client>\S+) (?<ident>\S+) (?<auth>\S+) \[(?<ts>[^\]]+)\] "(?<message>(?<method>[A-Z]+) (?<path>\S+)(?: HTTP/(?<httpversion>[\d.]+))?|[^"]*)" (?<status>\d{3}) (?:(?<bytes>\d+)|-)(?: (?<referrer>%{VIGIL_QUOTED}) (?<agent>%{VIGIL_QUOTED}))?(?: (?<kv>.*))?$

[format syslog5424]
# RFC 5424: <PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD] MSG
pattern = ^<(?<pri>\d{1,3})>1 (?<ts>\S+) (?<host>\S+) (?<service>\S+) (?<procid>\S+) (?<msgid>\S+) (?:-|(?:\[(?:[^\]\\]|\\.)*\])+)(?: (?<message>.*))?$

[format syslog]
# RFC 3164 and `journalctl -o short-iso`: [<PRI>]TIMESTAMP HOST PROGRAM[PID]: MSG
pattern = ^(?:<(?<pri>\d{1,3})>)?(?<ts>%{VIGIL_SYSLOG_TS}|%{VIGIL_ISO_TS}) (?<host>\S+) (?<service>[^\s\[:]+)(?:\[(?<pid>\d+)\])?: (?<message>.*)$

[format logfmt]
# key=value pairs: time|ts|timestamp, level|lvl|severity, service|svc|app, msg|message, latency_ms …
type = logfmt
"""##),
        ("sla.rules", ##"""
# Built-in incident targets per severity, used by `vigil report` for SLA compliance.
# Every key is documented in Rules/README.md.

[sla critical]
response = 15m
resolution = 4h

[sla error]
response = 30m
resolution = 8h

[sla warning]
response = 4h
resolution = 24h

[sla info]
response = 1d
resolution = 5d
"""##),
    ]
}
