#!/usr/bin/env python3
"""Generates the labelled template-mining fixtures: Fixtures/templates/<dataset>/{lines.log,labels.txt}.

Each dataset imitates one public log source of the Loghub kind (HDFS, OpenSSH, Apache error,
Spark, Android, nginx error, syslog/journald, JSON-free app logs with key=value fields). Every line
comes from one event template; labels.txt holds that template's name, one line per log line, so a
miner's grouping can be scored with Loghub's grouping accuracy. Variable parts are realistic on
purpose, including the hard cases: variables that are plain words (user names, host names, unit
names, states), free text of varying length, and events that differ in a single word.

Deterministic: `python3 make.py` rewrites the same files. No network, standard library only.
"""
import os
import random
from datetime import datetime, timedelta

HERE = os.path.dirname(os.path.abspath(__file__))

USERS = ["root", "admin", "oracle", "test", "guest", "webmaster", "ftpuser", "postgres", "ubuntu", "git",
         "alice", "bob", "deploy", "jenkins", "nagios", "support", "user", "mysql", "backup", "www"]
WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet"]
DOMAINS = ["example.com", "corp.local", "internal", "prod.net", "svc.cluster.local"]


def ip(r):
    return "%d.%d.%d.%d" % (r.choice([10, 172, 192, 203, 61, 112]), r.randint(0, 255), r.randint(0, 255), r.randint(1, 254))


def port(r):
    return str(r.randint(1024, 65535))


def hexs(r, n):
    return "".join(r.choice("0123456789abcdef") for _ in range(n))


def host(r):
    return "%s.%s" % (r.choice(WORDS), r.choice(DOMAINS))


def blk(r):
    return "blk_%s%d" % (r.choice(["", "-"]), r.randint(10**17, 10**19))


def pick(r, templates):
    total = sum(w for _, w, _ in templates)
    x = r.uniform(0, total)
    for label, weight, make in templates:
        x -= weight
        if x <= 0:
            return label, make(r)
    return templates[-1][0], templates[-1][2](r)


def dataset(name, count, seed, templates, frame):
    r = random.Random(seed)
    t = datetime(2024, 3, 1, 6, 0, 0)
    lines, labels = [], []
    for i in range(count):
        t += timedelta(milliseconds=r.randint(1, 4000))
        label, message = pick(r, templates)
        lines.append(frame(r, t, message))
        labels.append(label)
    out = os.path.join(HERE, name)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "lines.log"), "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(os.path.join(out, "labels.txt"), "w") as f:
        f.write("\n".join(labels) + "\n")


# --- HDFS (Loghub HDFS style; no built-in format matches, so the whole line is the message) ---
def hdfs():
    def task(r):
        return "/user/root/rand%d/_temporary/_task_200811092030_0001_m_%06d_0/part-%05d" % (r.randint(1, 9), r.randint(0, 999), r.randint(0, 999))
    T = [
        ("receiving", 20, lambda r: "INFO dfs.DataNode$DataXceiver: Receiving block %s src: /%s:%s dest: /%s:50010" % (blk(r), ip(r), port(r), ip(r))),
        ("responder_term", 20, lambda r: "INFO dfs.DataNode$PacketResponder: PacketResponder %d for block %s terminating" % (r.randint(0, 2), blk(r))),
        ("received_size", 18, lambda r: "INFO dfs.DataNode$PacketResponder: Received block %s of size %d from /%s" % (blk(r), r.randint(1, 67108864), ip(r))),
        ("stored", 18, lambda r: "INFO dfs.FSNamesystem: BLOCK* NameSystem.addStoredBlock: blockMap updated: %s:50010 is added to %s size %d" % (ip(r), blk(r), r.randint(1, 67108864))),
        ("allocate", 6, lambda r: "INFO dfs.FSNamesystem: BLOCK* NameSystem.allocateBlock: %s. %s" % (task(r), blk(r))),
        ("served", 8, lambda r: "INFO dfs.DataNode$DataXceiver: %s:50010 Served block %s to /%s" % (ip(r), blk(r), ip(r))),
        ("got_exception", 4, lambda r: "WARN dfs.DataNode$DataXceiver: %s:50010:Got exception while serving %s to /%s:" % (ip(r), blk(r), ip(r))),
        ("invalidset", 5, lambda r: "INFO dfs.FSNamesystem: BLOCK* NameSystem.delete: %s is added to invalidSet of %s:50010" % (blk(r), ip(r))),
        ("deleting", 5, lambda r: "INFO dfs.FSDataset: Deleting block %s file /mnt/hadoop/dfs/data/current/subdir%d/%s" % (blk(r), r.randint(0, 63), blk(r))),
        ("verified", 3, lambda r: "INFO dfs.DataBlockScanner: Verification succeeded for %s" % blk(r)),
        ("received_src", 3, lambda r: "INFO dfs.DataNode$DataXceiver: Received block %s src: /%s:%s dest: /%s:50010 of size %d" % (blk(r), ip(r), port(r), ip(r), r.randint(1, 67108864))),
        ("recv_exception", 1, lambda r: "INFO dfs.DataNode$BlockReceiver: Exception in receiveBlock for block %s java.io.IOException: Connection reset by peer" % blk(r)),
        ("interrupted", 1, lambda r: "INFO dfs.DataNode$PacketResponder: PacketResponder %s %d Exception java.io.InterruptedIOException: Interruped while waiting for IO on channel java.nio.channels.SocketChannel[connected local=/%s:%s remote=/%s:50010]. %d millis timeout left." % (blk(r), r.randint(0, 2), ip(r), port(r), ip(r), r.randint(0, 60000))),
        ("replicate", 2, lambda r: "INFO dfs.FSNamesystem: BLOCK* ask %s:50010 to replicate %s to datanode(s) %s:50010" % (ip(r), blk(r), ip(r))),
        ("redundant", 2, lambda r: "INFO dfs.FSNamesystem: BLOCK* NameSystem.addStoredBlock: Redundant addStoredBlock request received for %s on %s:50010 size %d" % (blk(r), ip(r), r.randint(1, 67108864))),
        ("unexpected_delete", 1, lambda r: "WARN dfs.FSDataset: Unexpected error trying to delete block %s. BlockInfo not found in volumeMap." % blk(r)),
        ("transmitted", 2, lambda r: "INFO dfs.DataNode$DataTransfer: %s:50010:Transmitted block %s to /%s:50010" % (ip(r), blk(r), ip(r))),
        ("start_transfer", 2, lambda r: "INFO dfs.DataNode: %s:50010 Starting thread to transfer block %s to %s:50010" % (ip(r), blk(r), ip(r))),
        ("pending_delete", 0.5, lambda r: "INFO dfs.FSNamesystem: BLOCK* NameSystem.addToInvalidates: %s is added to invalidSet of %s:50010" % (blk(r), ip(r))),
        ("ask_delete", 1, lambda r: "INFO dfs.FSNamesystem: BLOCK* ask %s:50010 to delete %s" % (ip(r), blk(r))),
    ]
    frame = lambda r, t, m: "%s %d %s" % (t.strftime("%y%m%d %H%M%S"), r.randint(13, 30000), m)
    dataset("hdfs", 2000, 1, T, frame)


# --- OpenSSH (syslog lines; the built-in syslog format extracts the message) ---
def openssh():
    reasons = ["Bye Bye", "Normal Shutdown, Thank you for playing", "disconnect", "Closed due to user request.", "Bye"]
    T = [
        ("reverse_mapping", 8, lambda r: "reverse mapping checking getaddrinfo for %s [%s] failed - POSSIBLE BREAK-IN ATTEMPT!" % (host(r), ip(r))),
        ("invalid_user", 10, lambda r: "Invalid user %s from %s" % (r.choice(USERS), ip(r))),
        ("userauth_invalid", 10, lambda r: "input_userauth_request: invalid user %s [preauth]" % r.choice(USERS)),
        ("check_pass", 8, lambda r: "pam_unix(sshd:auth): check pass; user unknown"),
        ("auth_failure", 10, lambda r: "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=%s" % r.choice([ip(r), host(r)])),
        ("auth_failure_user", 8, lambda r: "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=%s  user=%s" % (ip(r), r.choice(USERS))),
        ("failed_invalid", 14, lambda r: "Failed password for invalid user %s from %s port %s ssh2" % (r.choice(USERS), ip(r), port(r))),
        ("failed_password", 14, lambda r: "Failed password for %s from %s port %s ssh2" % (r.choice(USERS), ip(r), port(r))),
        ("received_disconnect", 10, lambda r: "Received disconnect from %s: 11: %s [preauth]" % (ip(r), r.choice(reasons))),
        ("connection_closed", 6, lambda r: "Connection closed by %s [preauth]" % ip(r)),
        ("accepted_password", 3, lambda r: "Accepted password for %s from %s port %s ssh2" % (r.choice(USERS), ip(r), port(r))),
        ("accepted_publickey", 2, lambda r: "Accepted publickey for %s from %s port %s ssh2" % (r.choice(USERS), ip(r), port(r))),
        ("session_opened", 3, lambda r: "pam_unix(sshd:session): session opened for user %s by (uid=0)" % r.choice(USERS)),
        ("session_closed", 3, lambda r: "pam_unix(sshd:session): session closed for user %s" % r.choice(USERS)),
        ("jsch", 1, lambda r: "error: Received disconnect from %s: 3: com.jcraft.jsch.JSchException: Auth fail [preauth]" % ip(r)),
        ("repeated", 2, lambda r: "message repeated %d times: [ Failed password for %s from %s port %s ssh2]" % (r.randint(2, 5), r.choice(USERS), ip(r), port(r))),
        ("no_ident", 2, lambda r: "Did not receive identification string from %s" % ip(r)),
        ("pam_more", 3, lambda r: "PAM %d more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=%s  user=%s" % (r.randint(1, 5), ip(r), r.choice(USERS))),
        ("too_many", 2, lambda r: "Disconnecting: Too many authentication failures for %s [preauth]" % r.choice(USERS)),
        ("max_retries", 2, lambda r: "PAM service(sshd) ignoring max retries; %d > 3" % r.randint(4, 6)),
        ("reset", 1, lambda r: "fatal: Read from socket failed: Connection reset by peer [preauth]"),
        ("bad_protocol", 1, lambda r: "Bad protocol version identification '%s' from %s port %s" % (r.choice(["GET / HTTP/1.1", "\\x16\\x03\\x01", "SSH-1.5-Client"]), ip(r), port(r))),
    ]
    frame = lambda r, t, m: "%s LabSZ sshd[%d]: %s" % (t.strftime("%b %d %H:%M:%S"), r.randint(1000, 30000), m)
    dataset("openssh", 2000, 2, T, frame)


# --- Apache error log (Loghub Apache style; whole line) ---
def apache():
    pages = ["index.php", "admin/config.php", "favicon.ico", "robots.txt", "cgi-bin/awstats.pl", "phpmyadmin/main.php"]
    T = [
        ("found_child", 30, lambda r: "[notice] jk2_init() Found child %d in scoreboard slot %d" % (r.randint(1000, 30000), r.randint(0, 12))),
        ("workerenv_ok", 20, lambda r: "[notice] workerEnv.init() ok /etc/httpd/conf/workers2.properties"),
        ("error_state", 20, lambda r: "[error] mod_jk child workerEnv in error state %d" % r.randint(5, 10)),
        ("dir_forbidden", 6, lambda r: "[error] [client %s] Directory index forbidden by rule: /var/www/html/" % ip(r)),
        ("cant_find_child", 5, lambda r: "[error] jk2_init() Can't find child %d in scoreboard" % r.randint(1000, 30000)),
        ("child_init", 5, lambda r: "[error] mod_jk child init %d %d" % (r.choice([1, -2]), r.randint(-2, 0))),
        ("file_not_exist", 6, lambda r: "[error] [client %s] File does not exist: /var/www/html/%s" % (ip(r), r.choice(pages))),
        ("digest_gen", 1, lambda r: "[notice] Digest: generating secret for digest authentication ..."),
        ("digest_done", 1, lambda r: "[notice] Digest: done"),
        ("sighup", 1, lambda r: "[notice] SIGHUP received.  Attempting to restart"),
        ("script_not_found", 3, lambda r: "[error] [client %s] script not found or unable to stat: /var/www/cgi-bin/%s" % (ip(r), r.choice(["awstats", "test-cgi", "printenv", "php"]))),
        ("configured", 1, lambda r: "[notice] Apache/2.0.49 (Fedora) configured -- resuming normal operations"),
        ("invalid_uri", 2, lambda r: "[error] [client %s] Invalid URI in request %s" % (ip(r), r.choice(["GET /../../etc/passwd HTTP/1.0", "GET //%%5c.. HTTP/1.1", "x"]))),
        ("premature", 2, lambda r: "[error] [client %s] Premature end of script headers: %s" % (ip(r), r.choice(["printenv", "awstats.pl", "index.cgi"]))),
        ("shmem", 1, lambda r: "[error] (11)Resource temporarily unavailable: fork: Unable to fork new process"),
    ]
    frame = lambda r, t, m: "[%s] %s" % (t.strftime("%a %b %d %H:%M:%S %Y"), m)
    dataset("apache", 1500, 3, T, frame)


# --- Spark (Loghub Spark style; whole line) ---
def spark():
    def size(r):
        return "%.1f %s" % (r.uniform(0.1, 999), r.choice(["B", "KB", "MB"]))
    services = ["'sparkExecutorActorSystem'", "'org.apache.spark.network.netty.NettyBlockTransferService'", "'sparkDriver'"]
    T = [
        ("view_acls", 2, lambda r: "INFO spark.SecurityManager: Changing view acls to: %s" % r.choice(USERS)),
        ("modify_acls", 2, lambda r: "INFO spark.SecurityManager: Changing modify acls to: %s" % r.choice(USERS)),
        ("secmgr", 2, lambda r: "INFO spark.SecurityManager: SecurityManager: authentication disabled; ui acls disabled; users with view permissions: Set(%s); users with modify permissions: Set(%s)" % (r.choice(USERS), r.choice(USERS))),
        ("found_block", 14, lambda r: "INFO storage.BlockManager: Found block rdd_%d_%d locally" % (r.randint(0, 40), r.randint(0, 400))),
        ("stored_values", 10, lambda r: "INFO storage.MemoryStore: Block broadcast_%d stored as values in memory (estimated size %s, free %s)" % (r.randint(0, 60), size(r), size(r))),
        ("stored_bytes", 8, lambda r: "INFO storage.MemoryStore: Block broadcast_%d_piece0 stored as bytes in memory (estimated size %s, free %s)" % (r.randint(0, 60), size(r), size(r))),
        ("running_task", 16, lambda r: "INFO executor.Executor: Running task %d.0 in stage %d.0 (TID %d)" % (r.randint(0, 300), r.randint(0, 40), r.randint(0, 9000))),
        ("finished_task", 16, lambda r: "INFO executor.Executor: Finished task %d.0 in stage %d.0 (TID %d). %d bytes result sent to driver" % (r.randint(0, 300), r.randint(0, 40), r.randint(0, 9000), r.randint(600, 3000))),
        ("partition_not_found", 6, lambda r: "INFO spark.CacheManager: Partition rdd_%d_%d not found, computing it" % (r.randint(0, 40), r.randint(0, 400))),
        ("started_reading", 5, lambda r: "INFO broadcast.TorrentBroadcast: Started reading broadcast variable %d" % r.randint(0, 60)),
        ("reading_took", 5, lambda r: "INFO broadcast.TorrentBroadcast: Reading broadcast variable %d took %d ms" % (r.randint(0, 60), r.randint(1, 900))),
        ("assigned_task", 12, lambda r: "INFO executor.CoarseGrainedExecutorBackend: Got assigned task %d" % r.randint(0, 9000)),
        ("input_split", 6, lambda r: "INFO rdd.HadoopRDD: Input split: hdfs://10.10.34.11:9000/pjhe/test/%d/part-%05d:%d+%d" % (r.randint(1, 9), r.randint(0, 99), r.randint(0, 10**8), r.randint(1, 10**7))),
        ("memstore_started", 1, lambda r: "INFO storage.MemoryStore: MemoryStore started with capacity %.1f GB" % r.uniform(1, 20)),
        ("python_times", 4, lambda r: "INFO python.PythonRunner: Times: total = %d, boot = %d, init = %d, finish = %d" % (r.randint(1, 900), r.randint(-5, 50), r.randint(1, 90), r.randint(0, 900))),
        ("committed", 2, lambda r: "INFO mapred.SparkHadoopMapRedUtil: attempt_201706091%05d_%04d_m_%06d_%d: Committed" % (r.randint(0, 99999), r.randint(0, 40), r.randint(0, 999), r.randint(0, 3))),
        ("sigterm", 1, lambda r: "ERROR executor.CoarseGrainedExecutorBackend: RECEIVED SIGNAL 15: SIGTERM"),
        ("started_service", 2, lambda r: "INFO util.Utils: Successfully started service %s on port %s." % (r.choice(services), port(r))),
        ("shutting_down", 1, lambda r: "INFO remote.RemoteActorRefProvider$RemotingTerminator: Shutting down remote daemon."),
        ("daemon_shut", 1, lambda r: "INFO remote.RemoteActorRefProvider$RemotingTerminator: Remote daemon shut down; proceeding with flushing remote transports."),
        ("registered_signal", 1, lambda r: "INFO executor.CoarseGrainedExecutorBackend: Registered signal handlers for [TERM, HUP, INT]"),
        ("connecting_driver", 1, lambda r: "INFO executor.CoarseGrainedExecutorBackend: Connecting to driver: spark://CoarseGrainedScheduler@%s:%s" % (ip(r), port(r))),
        ("removed_broadcast", 3, lambda r: "INFO storage.BlockManager: Removing RDD %d" % r.randint(0, 40)),
    ]
    frame = lambda r, t, m: "%s %s" % (t.strftime("%y/%m/%d %H:%M:%S"), m)
    dataset("spark", 2000, 4, T, frame)


# --- Android (Loghub Android style; whole line) ---
def android():
    pkgs = ["com.android.systemui", "com.tencent.mm", "com.google.android.gms", "com.android.phone", "com.whatsapp", "com.android.settings"]
    acts = ["android.intent.action.SCREEN_ON", "android.intent.action.BATTERY_CHANGED", "android.net.conn.CONNECTIVITY_CHANGE", "android.intent.action.TIME_TICK"]
    states = ["ConnectedState", "L2ConnectedState", "DisconnectedState", "ScanModeState"]
    T = [
        ("acquire_lock", 14, lambda r: "D PowerManagerService: acquire lock=%d, flags=0x%x, tag=\"%s\", name=%s, ws=null, uid=%d, pid=%d" % (r.randint(10**8, 10**9), r.choice([1, 0x1000000a]), r.choice(["View Lock", "RILJ_ACK_WL", "*alarm*", "WakefulnessController"]), r.choice(pkgs), r.randint(1000, 20000), r.randint(100, 30000))),
        ("release_lock", 14, lambda r: "D PowerManagerService: release:lock=%d, flg=0x0, tag=\"%s\", name=%s, ws=null, uid=%d, pid=%d" % (r.randint(10**8, 10**9), r.choice(["View Lock", "RILJ_ACK_WL", "*alarm*"]), r.choice(pkgs), r.randint(1000, 20000), r.randint(100, 30000))),
        ("skipping_token", 8, lambda r: "V WindowManager: Skipping AppWindowToken{%s token=Token{%s ActivityRecord{%s u0 %s/.%s t%d}}} -- going to hide" % (hexs(r, 7), hexs(r, 7), hexs(r, 7), r.choice(pkgs), r.choice(["MainActivity", "LauncherUI", "SettingsActivity"]), r.randint(1, 900))),
        ("start_proc", 5, lambda r: "I ActivityManager: Start proc %d:%s/u0a%d for service %s/.%s" % (r.randint(1000, 30000), r.choice(pkgs), r.randint(10, 200), r.choice(pkgs), r.choice(["PushService", "SyncService", "JobService"]))),
        ("brightness", 8, lambda r: "D DisplayPowerController: Animating brightness: target=%d, rate=%d" % (r.randint(0, 255), r.choice([0, 40, 200]))),
        ("broadcast", 8, lambda r: "V ActivityManager: Broadcast: Intent { act=%s flg=0x%x } ordered=%s userid=0 callerApp=null" % (r.choice(acts), r.choice([0x10, 0x50000010]), r.choice(["true", "false"]))),
        ("killing", 4, lambda r: "I ActivityManager: Killing %d:%s/u0a%d (adj %d): empty #%d" % (r.randint(1000, 30000), r.choice(pkgs), r.randint(10, 200), r.randint(900, 906), r.randint(17, 40))),
        ("wifi_state", 6, lambda r: "D WifiStateMachine: processMsg: %s" % r.choice(states)),
        ("unable_start", 3, lambda r: "W ActivityManager: Unable to start service Intent { act=%s pkg=%s } U=0: not found" % (r.choice(acts), r.choice(pkgs))),
        ("anr", 1, lambda r: "E ActivityManager: ANR in %s" % r.choice(pkgs)),
        ("sysui_vis", 6, lambda r: "I PhoneStatusBar: setSystemUiVisibility vis=%s mask=%s oldVal=%s newVal=%s diff=%s" % tuple(hexs(r, r.randint(1, 8)) for _ in range(5))),
        ("statusbar_disable", 3, lambda r: "D PhoneStatusBar: disable: < %s >" % " ".join(r.choice([w, w.upper()]) for w in ["expand", "icons", "alerts", "system_info", "back", "home", "recent", "clock", "search", "quick_settings"])),
        ("loading_provider", 2, lambda r: "D ActivityThread: Loading provider %s: %s" % (r.choice(["com.android.contacts", "settings", "media", "downloads"]), r.choice(["com.android.providers.contacts.ContactsProvider2", "com.android.providers.settings.SettingsProvider"]))),
        ("screen_on", 2, lambda r: "I DisplayPowerController: Blocking screen on until initial contents have been drawn."),
        ("unblocked", 2, lambda r: "I DisplayPowerController: Unblocked screen on after %d ms" % r.randint(10, 900)),
        ("battery", 5, lambda r: "D BatteryService: level:%d, scale:100, status:%d, health:2, present:true, voltage: %d, temperature: %d" % (r.randint(1, 100), r.randint(1, 5), r.randint(3500, 4400), r.randint(200, 450))),
        ("gc", 6, lambda r: "I art: Background %s concurrent copying GC freed %d(%s) AllocSpace objects, %d(%s) LOS objects, %d%% free, %s/%s, paused %s total %s" % (r.choice(["sticky", "partial"]), r.randint(1000, 90000), "%dKB" % r.randint(10, 9000), r.randint(0, 40), "%dMB" % r.randint(0, 40), r.randint(10, 60), "%dMB" % r.randint(10, 90), "%dMB" % r.randint(20, 120), "%dus" % r.randint(100, 9000), "%.3fms" % r.uniform(1, 90))),
    ]
    def frame(r, t, m):
        return "%s.%03d  %4d  %4d %s" % (t.strftime("%m-%d %H:%M:%S"), r.randint(0, 999), r.randint(100, 30000), r.randint(100, 30000), m)
    dataset("android", 2000, 5, T, frame)


# --- nginx error log (whole line; quoted request, host and upstream) ---
def nginx():
    names = ["api.example.com", "www.example.com", "localhost", "_", "shop.corp.local"]
    def req(r):
        return "\"%s /%s HTTP/1.1\"" % (r.choice(["GET", "POST", "PUT"]), r.choice(["api/v1/orders", "favicon.ico", "index.html", "login", "static/app.js?v=3"]))
    def tail(r):
        return "client: %s, server: %s, request: %s, host: \"%s\"" % (ip(r), r.choice(names), req(r), r.choice(names))
    def up(r):
        return "upstream: \"http://%s:%s/%s\"" % (ip(r), r.choice(["8080", "9000", "3000"]), r.choice(["api/v1/orders", "login", ""]))
    T = [
        ("open_failed", 14, lambda r: "[error] %d#%d: *%d open() \"/usr/share/nginx/html/%s\" failed (2: No such file or directory), %s" % (r.randint(100, 9000), 0, r.randint(1, 10**6), r.choice(["favicon.ico", "robots.txt", "wp-login.php", ".env"]), tail(r))),
        ("connect_refused", 10, lambda r: "[error] %d#%d: *%d connect() failed (111: Connection refused) while connecting to upstream, client: %s, server: %s, request: %s, %s, host: \"%s\"" % (r.randint(100, 9000), 0, r.randint(1, 10**6), ip(r), r.choice(names), req(r), up(r), r.choice(names))),
        ("timed_out", 10, lambda r: "[error] %d#%d: *%d upstream timed out (110: Connection timed out) while reading response header from upstream, client: %s, server: %s, request: %s, %s, host: \"%s\"" % (r.randint(100, 9000), 0, r.randint(1, 10**6), ip(r), r.choice(names), req(r), up(r), r.choice(names))),
        ("buffered", 6, lambda r: "[warn] %d#%d: *%d an upstream response is buffered to a temporary file /var/cache/nginx/proxy_temp/%d/%02d/%010d while reading upstream, client: %s, server: %s, request: %s, %s, host: \"%s\"" % (r.randint(100, 9000), 0, r.randint(1, 10**6), r.randint(0, 9), r.randint(0, 99), r.randint(0, 10**9), ip(r), r.choice(names), req(r), up(r), r.choice(names))),
        ("signal_started", 1, lambda r: "[notice] %d#%d: signal process started" % (r.randint(100, 9000), 0)),
        ("epoll", 1, lambda r: "[notice] %d#%d: using the \"epoll\" event method" % (r.randint(100, 9000), 0)),
        ("start_worker", 3, lambda r: "[notice] %d#%d: start worker process %d" % (r.randint(100, 9000), 0, r.randint(100, 9000))),
        ("sigchld", 3, lambda r: "[notice] %d#%d: signal 17 (SIGCHLD) received from %d" % (r.randint(100, 9000), 0, r.randint(100, 9000))),
        ("worker_exited", 3, lambda r: "[notice] %d#%d: worker process %d exited with code 0" % (r.randint(100, 9000), 0, r.randint(100, 9000))),
        ("ssl_handshake", 3, lambda r: "[crit] %d#%d: *%d SSL_do_handshake() failed (SSL: error:14201044:SSL routines:tls_choose_sigalg:internal error) while SSL handshaking, client: %s, server: 0.0.0.0:443" % (r.randint(100, 9000), 0, r.randint(1, 10**6), ip(r))),
        ("limiting", 6, lambda r: "[error] %d#%d: *%d limiting requests, excess: %d.%03d by zone \"%s\", %s" % (r.randint(100, 9000), 0, r.randint(1, 10**6), r.randint(0, 50), r.randint(0, 999), r.choice(["api", "login", "perip"]), tail(r))),
        ("keepalive", 6, lambda r: "[info] %d#%d: *%d client %s closed keepalive connection" % (r.randint(100, 9000), 0, r.randint(1, 10**6), ip(r))),
        ("closed_waiting", 5, lambda r: "[info] %d#%d: *%d client closed connection while waiting for request, client: %s, server: 0.0.0.0:80" % (r.randint(100, 9000), 0, r.randint(1, 10**6), ip(r))),
        ("fastcgi", 3, lambda r: "[error] %d#%d: *%d FastCGI sent in stderr: \"PHP message: PHP %s\" while reading response header from upstream, %s" % (r.randint(100, 9000), 0, r.randint(1, 10**6), r.choice(["Warning:  Undefined variable $user in /var/www/index.php on line 12", "Fatal error:  Uncaught Error: Call to undefined function foo()", "Notice: session_start(): ignored"]), tail(r))),
        ("client_body", 2, lambda r: "[error] %d#%d: *%d client intended to send too large body: %d bytes, %s" % (r.randint(100, 9000), 0, r.randint(1, 10**6), r.randint(10**6, 10**8), tail(r))),
    ]
    frame = lambda r, t, m: "%s %s" % (t.strftime("%Y/%m/%d %H:%M:%S"), m)
    dataset("nginx_error", 1500, 6, T, frame)


# --- syslog / journald messages (ISO timestamps; the built-in syslog format extracts messages) ---
def syslog():
    units = [("apt-daily.service", "Daily apt download activities"), ("logrotate.service", "Rotate log files"),
             ("man-db.service", "Daily man-db regeneration"), ("fstrim.service", "Discard unused blocks on filesystems from /etc/fstab"),
             ("certbot.service", "Certbot"), ("systemd-tmpfiles-clean.service", "Cleanup of Temporary Directories")]
    progs = {"sys": "systemd[1]", "logind": "systemd-logind[%d]", "cron": "CRON[%d]", "kernel": "kernel", "sshd": "sshd[%d]", "dhclient": "dhclient[%d]", "rsyslogd": "rsyslogd"}
    cmds = ["command -v debian-sa1 > /dev/null && debian-sa1 1 1", "test -x /usr/sbin/anacron || ( cd / && run-parts --report /etc/cron.daily )", "/usr/local/bin/backup.sh"]
    T = [
        ("started_session", 10, lambda r: ("sys", "Started Session %d of User %s." % (r.randint(1, 9000), r.choice(USERS)))),
        ("starting_unit", 6, lambda r: ("sys", "Starting %s..." % r.choice(units)[1])),
        ("started_unit", 6, lambda r: ("sys", "Started %s." % r.choice(units)[1])),
        ("unit_succeeded", 6, lambda r: ("sys", "%s: Succeeded." % r.choice(units)[0])),
        ("unit_consumed", 4, lambda r: ("sys", "%s: Consumed %.3fs CPU time." % (r.choice(units)[0], r.uniform(0.01, 9)))),
        ("new_session", 8, lambda r: ("logind", "New session %d of user %s." % (r.randint(1, 9000), r.choice(USERS)))),
        ("removed_session", 8, lambda r: ("logind", "Removed session %d." % r.randint(1, 9000))),
        ("cron_cmd", 10, lambda r: ("cron", "(%s) CMD (%s)" % (r.choice(["root", "www-data", "postgres"]), r.choice(cmds)))),
        ("link_up", 2, lambda r: ("kernel", "[%d.%06d] %s: Link is Up - 1Gbps/Full - flow control rx/tx" % (r.randint(1, 99999), r.randint(0, 999999), r.choice(["eth0", "ens3", "enp0s31f6"])))),
        ("apparmor", 4, lambda r: ("kernel", "[%d.%06d] audit: type=1400 audit(%d.%03d:%d): apparmor=\"DENIED\" operation=\"%s\" profile=\"%s\" name=\"%s\" pid=%d comm=\"%s\" requested_mask=\"r\" denied_mask=\"r\" fsuid=0 ouid=0" % (r.randint(1, 99999), r.randint(0, 999999), r.randint(1.7e9, 1.8e9), r.randint(0, 999), r.randint(1, 999), r.choice(["open", "file_mmap"]), r.choice(["snap.lxd.daemon", "/usr/sbin/cupsd", "docker-default"]), r.choice(["/proc/1/environ", "/etc/ssl/openssl.cnf"]), r.randint(100, 30000), r.choice(["cupsd", "lxd", "nginx"])))),
        ("accepted_key", 4, lambda r: ("sshd", "Accepted publickey for %s from %s port %s ssh2: RSA SHA256:%s" % (r.choice(USERS), ip(r), port(r), "".join(r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") for _ in range(43))))),
        ("dhcprequest", 4, lambda r: ("dhclient", "DHCPREQUEST for %s on %s to %s port 67" % (ip(r), r.choice(["eth0", "ens3"]), ip(r)))),
        ("dhcpack", 4, lambda r: ("dhclient", "DHCPACK of %s from %s" % (ip(r), ip(r)))),
        ("bound", 4, lambda r: ("dhclient", "bound to %s -- renewal in %d seconds." % (ip(r), r.randint(100, 40000)))),
        ("hup", 1, lambda r: ("rsyslogd", "[origin software=\"rsyslogd\" swVersion=\"8.2102.0\" x-pid=\"%d\" x-info=\"https://www.rsyslog.com\"] rsyslogd was HUPed" % r.randint(100, 9000))),
        ("reloading", 1, lambda r: ("sys", "Reloading.")),
        ("oom", 1, lambda r: ("kernel", "[%d.%06d] Out of memory: Killed process %d (%s) total-vm:%dkB, anon-rss:%dkB, file-rss:0kB, shmem-rss:0kB, UID:%d pgtables:%dkB oom_score_adj:0" % (r.randint(1, 99999), r.randint(0, 999999), r.randint(100, 30000), r.choice(["java", "python3", "node"]), r.randint(10**5, 10**7), r.randint(10**5, 10**7), r.randint(0, 1000), r.randint(100, 9000)))),
    ]
    def frame(r, t, m):
        prog, text = m
        name = progs[prog]
        if "%d" in name:
            name = name % r.randint(100, 30000)
        return "%s %s %s: %s" % (t.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+00:00", r.choice(["web1", "db2", "cache-a"]), name, text)
    dataset("syslog", 1500, 7, T, frame)


# --- application logs, key=value style (the built-in app format extracts the message) ---
def app():
    flags = ["new_checkout", "dark_mode", "beta_search", "fast_refunds"]
    breakers = ["payments", "inventory", "email"]
    errors = ["connection reset by peer", "i/o timeout", "context deadline exceeded", "EOF"]
    def email(r):
        return "%s@%s" % (r.choice(USERS), r.choice(DOMAINS))
    T = [
        ("request_done", 25, lambda r: "request completed method=%s path=/api/v1/%s/%d status=%d duration_ms=%d" % (r.choice(["GET", "POST"]), r.choice(["orders", "users", "carts"]), r.randint(1, 99999), r.choice([200, 201, 404, 500]), r.randint(1, 3000))),
        ("cache_miss", 10, lambda r: "cache miss key=user:%d ttl=%ds" % (r.randint(1, 99999), r.choice([30, 60, 300]))),
        ("payment_ok", 8, lambda r: "payment authorized provider=%s amount=%.2f currency=%s" % (r.choice(["stripe", "adyen", "paypal"]), r.uniform(1, 900), r.choice(["EUR", "USD", "GBP"]))),
        ("retrying", 6, lambda r: "retrying request attempt=%d backoff=%dms err=\"%s\"" % (r.randint(1, 5), r.choice([100, 200, 400, 800]), r.choice(errors))),
        ("login", 8, lambda r: "user %s logged in from %s" % (email(r), ip(r))),
        ("db_connect", 3, lambda r: "failed to connect to database host=%s port=5432: %s" % (r.choice(["db.internal", "pg-primary", "replica"]), r.choice(["connection refused", "timeout"]))),
        ("pool", 1, lambda r: "Starting worker pool with %d workers" % r.choice([4, 8, 16])),
        ("rebalance", 3, lambda r: "kafka consumer rebalanced: assigned partitions [%s]" % ",".join(str(p) for p in sorted(r.sample(range(24), r.randint(1, 4))))),
        ("slow_query", 4, lambda r: "slow query detected took=%.1fs query=\"%s\"" % (r.uniform(1, 9), r.choice(["SELECT * FROM orders WHERE id = $1", "UPDATE carts SET total = $1 WHERE id = $2", "DELETE FROM sessions"]))),
        ("flag_eval", 6, lambda r: "feature flag %s evaluated to %s for user %d" % (r.choice(flags), r.choice(["true", "false"]), r.randint(1, 99999))),
        ("breaker", 3, lambda r: "circuit breaker %s state changed from %s to %s" % (r.choice(breakers), r.choice(["CLOSED", "OPEN"]), r.choice(["OPEN", "HALF_OPEN"]))),
        ("order_placed", 8, lambda r: "order placed order_id=%s items=%d total=%.2f" % ("ord_" + hexs(r, 10), r.randint(1, 9), r.uniform(5, 500))),
        ("shutdown", 1, lambda r: "received signal SIGTERM, shutting down gracefully"),
        ("config_reload", 1, lambda r: "configuration reloaded from /etc/app/config.yaml version=%d" % r.randint(1, 90)),
        ("jwt_expired", 4, lambda r: "authentication failed: token expired at %s for subject %s" % ("2024-03-01T%02d:%02d:%02dZ" % (r.randint(0, 23), r.randint(0, 59), r.randint(0, 59)), r.choice(USERS))),
    ]
    frame = lambda r, t, m: "%s %s [%s] %s" % (t.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z", r.choice(["INFO", "WARN", "ERROR"]), r.choice(["checkout", "payments", "auth"]), m)
    dataset("app", 1500, 8, T, frame)


if __name__ == "__main__":
    hdfs(); openssh(); apache(); spark(); android(); nginx(); syslog(); app()
