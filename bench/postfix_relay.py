"""A private Postfix instance for bench/compare: its own config_directory,
queue_directory and data_directory in a temp dir, smtpd on a free loopback
port, everything relayed to one relayhost (the smtp-sink of the benchmark).
Postfix settings are the defaults (fsync'ed queue files, in_flow_delay,
connection cache to the relayhost) but for what a private loopback relay
needs: no chroot, no TLS, no local delivery.
Callers: bench/compare. Needs root (postfix drops to user postfix).
Errors: `postfix start` failing raises CalledProcessError.
"""
import os
import subprocess

import benchkit as bk

# service type private unpriv chroot wakeup maxproc command (chroot always n)
MASTER_CF = """\
{listen} inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""

MAIN_CF = """\
compatibility_level = 3.6
config_directory = {dir}/etc
queue_directory = {dir}/spool
data_directory = {dir}/data
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = relay.bench.invalid
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
mynetworks = 127.0.0.0/8
relayhost = [127.0.0.1]:{sink_port}
smtp_tls_security_level = none
smtpd_tls_security_level = none
maillog_file = {dir}/maillog
maillog_file_prefixes = {dir}
"""


class PostfixRelay:
    """`postfix -c DIR/etc start` ... `stop`; .port is its smtpd."""

    def __init__(self, tmp, sink_port):
        self.dir = os.path.join(tmp, "postfix")
        self.etc = os.path.join(self.dir, "etc")
        self.port = bk.free_port()
        os.makedirs(self.etc)
        for d in ("spool", "data"):
            os.makedirs(os.path.join(self.dir, d))
        os.chmod(self.dir, 0o755)
        with open(os.path.join(self.etc, "main.cf"), "w") as f:
            f.write(MAIN_CF.format(dir=self.dir, sink_port=sink_port))
        with open(os.path.join(self.etc, "master.cf"), "w") as f:
            f.write(MASTER_CF.format(listen=f"127.0.0.1:{self.port}"))
        subprocess.run(["chown", "postfix:postfix", os.path.join(self.dir, "data")], check=True)
        subprocess.run(["postfix", "-c", self.etc, "start"], check=True, capture_output=True)
        bk.wait_port(self.port)

    def stop(self):
        subprocess.run(["postfix", "-c", self.etc, "stop"], check=False, capture_output=True)

    def queue_size(self):
        out = subprocess.run(["postqueue", "-c", self.etc, "-j"], capture_output=True, text=True)
        return len(out.stdout.splitlines())
