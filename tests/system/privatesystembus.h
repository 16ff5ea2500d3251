// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// The world of the system tests: a private system bus with the real dbus-daemon, polkitd and
// kmodrescue-helper, inside the test's own mount namespace (enterPrivateMountNamespace() in main(),
// before Qt starts a thread). setUp() bind-mounts the test's own files over /run/dbus,
// /usr/share/dbus-1/system.conf, /etc/polkit-1, /usr/share/polkit-1 and the user database, so the
// host's configuration stays untouched. It then starts a system-bus dbus-daemon (as messagebus,
// with the real setuid activation helper) and polkitd on it. The helper is started by D-Bus
// activation only, under strace (helper.strace) so that a test can see which files it touches.
// Test users, created with useradd into the private user database, run client programs through
// runuser with stdin on /dev/null, so no prompt can block.
//
// polkit rules (rules.d/50-kmodrescue-test.rules):
//   kmr-allowed   every kmodrescue action
//   kmr-reader    read-kernel-log only
//   kmr-unloader  unload only (not force-unload)
//   kmr-auth      AUTH_ADMIN: authentication required, and there is no agent
//   kmr-expiring  read-kernel-log while the file grantFile() exists; without it AUTH_ADMIN_KEEP, as
//                 when polkit's kept authorization has expired (authentication required, no agent)
//   kmr-denied    no rule: the .policy defaults (allow_any=no) apply

#include <QProcess>
#include <QStringList>
#include <QTemporaryDir>

class PrivateSystemBus
{
public:
    static inline const QString HelperName = QStringLiteral("io.github.kmodrescue.Helper1");

    // Checks the programs it needs (and `clients`), builds the private world and starts the bus
    // and polkitd. Fails the current test (QVERIFY) on the way; the caller checks
    // QTest::currentTestFailed().
    void setUp(const QStringList &clients);
    // Stops the helper, polkitd and the bus; keeps the files when a test failed or
    // KMR_KEEP_LOGS is set.
    void tearDown();

    // A copy of a client program (setUp's `clients`) that the test users may run.
    QString client(const QString &program) const;
    // Runs `program args` as `user` through runuser, stdin on /dev/null, with `env` ("KEY=value")
    // added.
    void startAs(QProcess &p, const QString &user, const QString &program, const QStringList &args,
        const QStringList &env = {}) const;

    bool startPolkitd();
    bool stopPolkitd();
    bool waitForName(const QString &name, bool present, int ms = 15000);
    qint64 helperPid();

    QString path(const QString &name) const { return m_dir.path() + QLatin1Char('/') + name; }
    QString readFile(const QString &name) const; // a file of the test's directory ("helper.log")
    // kmr-expiring's authorization: kept while this file exists.
    QString grantFile() const { return path(QStringLiteral("kmr-expiring-authorized")); }

private:
    void makeUsers();
    void writePolkitRules();
    void writeBusConfig();
    void startBus();

    QTemporaryDir m_dir {QStringLiteral("/tmp/kmr-system-XXXXXX")};
    QProcess m_dbus;
    QProcess m_polkitd;
};

// main() of a system test: root, and a private mount namespace so that every bind mount is the
// test's own. Prints why and returns false otherwise.
bool enterPrivateMountNamespace();
