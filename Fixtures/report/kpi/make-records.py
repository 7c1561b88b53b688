#!/usr/bin/env python3
"""Writes the hand-made records of the `kpi` report case (records-a.jsonl, records-b.jsonl).

Known times, so the KPIs can be computed by hand (period 2026-11-26, see `args`):

  incident  service   rule         peak      tier  started  detected  ended   MTTD  MTTR   SLA (response/resolution)
  I0        checkout  error_ratio  error     L2    25 23:50 25 23:52  00:20   —     —      started before the period: not counted
  I1        checkout  error_ratio  critical  L2    10:00    10:02     10:30   2m    30m    15m/4h: met / met
  I2        checkout  latency      warning   L1    12:00    12:05     17:00   5m    5h     4h/24h: met / met
  I3        payments  error_ratio  error     L3    13:00    13:40     23:00   40m   10h    30m/8h: breached / breached
  I4        search    latency      critical  L2    19:30    19:33     open    3m    —      15m/4h: met / breached (open 4h30m)

  MTTD 2m, 3m, 5m, 40m: mean 12m 30s, median 4m, p90 40m.  MTTR 30m, 5h, 10h: mean 5h 10m, median 5h, p90 10h.
  Response met 3 of 4 (75.0%), resolution met 2 of 4 (50.0%). Open at the end: I4.
  Changes in the period C1, C2, C3 (C4 is the day before): C1 → I1, C3 → I3; failure rate 2 of 3 (66.7%).
  Problem candidates: P1 (count 5, then 12), P2 (count 3).

I1's `updated` record is in both files: it must count once. Summaries hold <, &, quotes and | to test escaping.
"""
import hashlib
import json
import os

def h(text):
    return hashlib.sha256(text.encode()).hexdigest()

def t(clock, day=26):
    return f"2026-11-{day:02d}T{clock}:00.000Z"

def canon(labels):
    return json.dumps(labels, separators=(",", ":"), sort_keys=True)

def change(service, summary, started):
    cid = "chg_" + h(f"{service}\n{summary}\n{started}")[:16]
    return {"schema": "vigil.record/v1", "record_id": "rec_" + h(cid + "\n0")[:16], "kind": "change", "event": "detected",
            "change_id": cid, "dedup_key": "vigil:change:" + h(cid)[:32], "severity": "info", "summary": summary,
            "labels": {"service": service}, "started_at": started}

def incident(rule, detector, alertname, service, started, detected, steps, tier, threshold, change_ids=()):
    """steps: (event, severity, window_end, metrics, ended_at) per record."""
    labels = {"alertname": alertname, "service": service}
    dedup = f"vigil:{rule}:" + h(canon(labels))[:32]
    iid = "inc_" + h(dedup + "\n" + started)[:16]
    out = []
    for seq, (event, severity, window_end, metrics, ended) in enumerate(steps):
        day, clock = window_end
        hh, mm = map(int, clock.split(":"))
        total = hh * 60 + mm - 5
        wstart = t(f"{total // 60:02d}:{total % 60:02d}", day) if total >= 0 else t(f"{(total + 1440) // 60:02d}:{(total + 1440) % 60:02d}", day - 1)
        record = {"schema": "vigil.record/v1", "record_id": "rec_" + h(f"{iid}\n{seq}")[:16], "kind": "incident", "event": event,
                  "seq": seq, "incident_id": iid, "dedup_key": dedup, "status": "resolved" if event == "resolved" else "firing",
                  "severity": severity, "tier": tier, "summary": metrics.pop("summary"),
                  "rule": {"id": rule, "alertname": alertname, "detector": detector, "threshold": threshold},
                  "labels": labels, "started_at": started, "detected_at": detected}
        if ended:
            record["ended_at"] = ended
        if seq > 0:
            record["last_seen_at"] = t(clock, day)
        record["window"] = {"start": wstart, "end": t(clock, day), "duration_s": 300}
        record["metrics"] = metrics
        if change_ids:
            record["change_ids"] = list(change_ids)
        out.append(record)
    return out

def problem(service, signature, started, counts, change_ids, related):
    pid = "prb_" + h(f"{service}\n{signature}")[:16]
    out = []
    for seq, (event, count, last) in enumerate(counts):
        out.append({"schema": "vigil.record/v1", "record_id": "rec_" + h(f"{pid}\n{seq}")[:16], "kind": "problem_candidate",
                    "event": event, "seq": seq, "problem_id": pid, "dedup_key": "vigil:problem:" + h(pid)[:32], "severity": "warning",
                    "summary": f"{service}: recurring error \"{signature}\" ({count} times)", "labels": {"service": service},
                    "started_at": started, "last_seen_at": last, "signature": signature, "count": count,
                    "change_ids": change_ids, "related_incident_ids": related})
    return out

C1 = change("checkout", "deploy checkout v2.4.1", t("09:55"))
C2 = change("search", "config reload search (ranking <beta>)", t("15:00"))
C3 = change("payments", "restart payments after OOM kill & \"hot\" fix | v7", t("12:50"))
C4 = change("checkout", "deploy checkout v2.4.0", t("22:00", 25))

er = lambda ratio, requests, summary: {"error_ratio": ratio, "errors": round(ratio * requests), "requests": requests, "threshold": 0.07, "summary": summary}
lat = lambda p50, p95, p99, requests, summary: {"latency_p50_ms": p50, "latency_p95_ms": p95, "latency_p99_ms": p99, "requests": requests, "threshold_ms": 250, "summary": summary}

I0 = incident("error_ratio", "error_ratio", "ErrorRatioHigh", "checkout", t("23:50", 25), t("23:52", 25), [
    ("opened", "error", (25, "23:52"), er(0.1, 400, "checkout: error ratio 10.0% over 5m"), None),
    ("resolved", "error", (26, "00:23"), er(0.01, 380, "checkout: error ratio back to 1.0%"), t("00:20"))], "L2", 0.07)
I1 = incident("error_ratio", "error_ratio", "ErrorRatioHigh", "checkout", t("10:00"), t("10:02"), [
    ("opened", "error", (26, "10:02"), er(0.12, 500, "checkout: error ratio 12.0% over 5m (baseline 1.0%, threshold 7.0%)"), None),
    ("updated", "critical", (26, "10:05"), er(0.3, 520, "checkout: error ratio 30.0% over 5m (baseline 1.0%, threshold 7.0%)"), None),
    ("resolved", "error", (26, "10:33"), er(0.01, 510, "checkout: error ratio back to 1.0% over the last 3m"), t("10:30"))],
    "L2", 0.07, [C1["change_id"]])
I2 = incident("latency", "latency", "LatencyHigh", "checkout", t("12:00"), t("12:05"), [
    ("opened", "warning", (26, "12:05"), lat(80, 420, 900, 600, "checkout: p95 latency 420 ms over 5m (threshold 250 ms)"), None),
    ("updated", "warning", (26, "14:00"), lat(95, 640, 1300, 640, "checkout: p95 latency 640 ms over 5m (threshold 250 ms)"), None),
    ("resolved", "warning", (26, "17:03"), lat(60, 180, 300, 590, "checkout: p95 latency back to 180 ms"), t("17:00"))], "L1", 250)
I3 = incident("error_ratio", "error_ratio", "ErrorRatioHigh", "payments", t("13:00"), t("13:40"), [
    ("opened", "error", (26, "13:40"), er(0.09, 200, "payments: 5xx on /pay?a=1&b=<2> | \"card\" declined"), None),
    ("resolved", "error", (26, "23:03"), er(0.0, 150, "payments: error ratio back to 0.0%"), t("23:00"))],
    "L3", 0.07, [C3["change_id"]])
I4 = incident("latency", "latency", "LatencyHigh", "search", t("19:30"), t("19:33"), [
    ("opened", "critical", (26, "19:33"), lat(300, 1500, 2500, 300, "search: p95 latency 1500 ms over 5m (threshold 250 ms)"), None)], "L2", 250)
P1 = problem("checkout", "connection reset by peer <*>", t("10:01"), [("detected", 5, t("10:06")), ("updated", 12, t("10:40"))],
             [C1["change_id"]], [I1[0]["incident_id"]])
P2 = problem("payments", "timeout after <*> ms | retry=<*>", t("13:05"), [("detected", 3, t("13:20"))], [], [])

a = I0 + [C4, C1] + I1[:2] + P1[:1]
b = I1[1:] + [C3] + I2 + I3 + [C2] + I4 + P1[1:] + P2
here = os.path.dirname(os.path.abspath(__file__))
for name, records in (("records-a.jsonl", a), ("records-b.jsonl", b)):
    with open(os.path.join(here, name), "w") as f:
        for record in records:
            f.write(json.dumps(record, separators=(",", ":"), ensure_ascii=False) + "\n")
