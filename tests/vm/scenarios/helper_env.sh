# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced by the helper's lab scenarios (inside the guest, root, bash): installs kmodrescue's
# D-Bus policy, activation file and polkit actions into the guest's writable overlay, creates the
# test users, and starts the system bus and polkitd. The helper itself is only ever started by
# D-Bus activation (through dbus-daemon's setuid launch helper: the guest has no systemd).
#
# polkit rule of the lab: kmr-allowed may do every kmodrescue action; kmr-denied has no rule, so
# the .policy defaults apply (allow_any=no: denied).

KMR_BUILD=${KMR_BUILD_DIR:?KMR_BUILD_DIR is not set: run through ctest or export it}
KMR_HELPER_BIN=$KMR_BUILD/helper/kmodrescue-helper
KMR_CLI_BIN=$KMR_BUILD/cli/kmodrescue-cli
KMR_PROBE_BIN=$KMR_BUILD/tests/system/helperprobe

helper_env_setup() {
	local f
	for f in "$KMR_HELPER_BIN" "$KMR_CLI_BIN" /usr/bin/dbus-daemon /usr/lib/polkit-1/polkitd; do
		[ -x "$f" ] || { echo "helper_env: $f is missing (build kmodrescue-helper and kmodrescue-cli; install dbus-daemon, polkitd)"; return 1; }
	done
	[ -n "${KMR_FIXER_KO:-}" ] || { echo "helper_env: the fixer is not built: $(tail -n 3 "${KMR_FIXER_BUILD_LOG:-/dev/null}")"; return 1; }
	install -m 0644 "$KMR_SOURCE_DIR/resources/io.github.kmodrescue.Helper1.conf" /usr/share/dbus-1/system.d/
	install -m 0644 "$KMR_SOURCE_DIR/resources/io.github.kmodrescue.policy" /usr/share/polkit-1/actions/
	# The packaged activation file, with the build's helper and the lab's fixer on its own
	# command line (never through D-Bus), and without SystemdService= (no systemd here).
	sed -e "s#^Exec=.*#Exec=$KMR_HELPER_BIN --fixer-dir $(dirname "$KMR_FIXER_KO") --idle-timeout 60#" \
		-e '/^SystemdService=/d' \
		"$KMR_SOURCE_DIR/resources/io.github.kmodrescue.Helper1.service" \
		>/usr/share/dbus-1/system-services/io.github.kmodrescue.Helper1.service
	mkdir -p /etc/polkit-1/rules.d
	cat >/etc/polkit-1/rules.d/50-kmr-lab.rules <<'RULES'
polkit.addRule(function(action, subject) {
    if (action.id.indexOf("io.github.kmodrescue.") === 0 && subject.user === "kmr-allowed")
        return polkit.Result.YES;
    return polkit.Result.NOT_HANDLED;
});
RULES
	id kmr-allowed >/dev/null 2>&1 || useradd -M -s /bin/sh kmr-allowed || return 1
	id kmr-denied >/dev/null 2>&1 || useradd -M -s /bin/sh kmr-denied || return 1
	mkdir -p /run/dbus /var/lib/dbus /etc/dbus-1/system.d
	# Under TCG on a busy host, starting a Qt program from the 9p root can take longer than the
	# bus's default 25 s activation timeout: give the lab guest two minutes.
	cat >/etc/dbus-1/system.d/zz-kmr-lab-limits.conf <<'CONF'
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <limit name="service_start_timeout">120000</limit>
</busconfig>
CONF
	dbus-uuidgen --ensure
	KMR_BUS_PID=$(dbus-daemon --system --fork --nopidfile --print-pid) || { echo "helper_env: dbus-daemon --system failed"; return 1; }
	/usr/lib/polkit-1/polkitd --no-debug >/tmp/polkitd.log 2>&1 &
	KMR_POLKITD_PID=$!
	local i
	for i in $(seq 1 100); do
		dbus-send --system --print-reply --dest=org.freedesktop.DBus / org.freedesktop.DBus.NameHasOwner \
			string:org.freedesktop.PolicyKit1 2>/dev/null | grep -q 'boolean true' && return 0
		sleep 0.2
	done
	echo "helper_env: polkitd did not come up: $(cat /tmp/polkitd.log)"
	return 1
}

# as_user USER CMD...: run CMD as USER with stdin closed, so no prompt can block.
as_user() {
	local u=$1
	shift
	runuser -u "$u" -- "$@" </dev/null
}

helper_running() {
	dbus-send --system --print-reply --dest=org.freedesktop.DBus / org.freedesktop.DBus.NameHasOwner \
		string:io.github.kmodrescue.Helper1 2>/dev/null | grep -q 'boolean true'
}

# alive PID: the process exists and is not a zombie.
alive() {
	local st
	read -r _ _ st _ 2>/dev/null <"/proc/$1/stat" && [ "$st" != Z ]
}

# helper_env_teardown: stop the helper (if the bus still has one), polkitd and the bus, and wait
# until they are gone.
helper_env_teardown() {
	local pids p i left
	p=$(dbus-send --system --print-reply --dest=org.freedesktop.DBus / \
		org.freedesktop.DBus.GetConnectionUnixProcessID string:io.github.kmodrescue.Helper1 2>/dev/null |
		awk '$1 == "uint32" { print $2 }')
	pids="$p ${KMR_POLKITD_PID:-} ${KMR_BUS_PID:-}"
	kill $pids 2>/dev/null
	for ((i = 0; i < 100; i++)); do
		left=
		for p in $pids; do
			alive "$p" && left+=" $p"
		done
		[ -z "$left" ] && break
		sleep 0.1
	done
	[ -z "$left" ] || { echo "helper_env: not stopped within 10 s:$left"; return 1; }
	wait "${KMR_POLKITD_PID:-}" 2>/dev/null
	rm -f /run/dbus/system_bus_socket
	unset KMR_BUS_PID KMR_POLKITD_PID
}
