// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Redaction of a bundle's text before it leaves the machine: host name, user names and home
// paths, MAC addresses, IPv4 and IPv6 addresses, serial numbers. planRedactions() lists what
// WOULD be replaced (shown to the user first); applyRedactions() does it. The same original
// always gets the same replacement across all members ("[host-1]", "[mac-2]"), so the evidence
// still lines up after redaction.

#include "bundle/bundlearchive.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace kmr::bundle {

enum class RedactionKind { HostName, UserName, HomePath, MacAddress, Ipv4Address, Ipv6Address, SerialNumber };
QString toString(RedactionKind k); // "host-name", "user-name", ...

struct Redaction {
    RedactionKind kind = RedactionKind::HostName;
    QString original;
    QString replacement;
    int count = 0; // how many places
    QStringList where; // the first few places, "kernel-log.txt:1234"

    bool operator==(const Redaction &o) const
    {
        return kind == o.kind && original == o.original && replacement == o.replacement && count == o.count
            && where == o.where;
    }
};

// What is known to be private on the machine the bundle is taken on. Names found in the text by
// pattern (/home/NAME, serial=..., MAC and IP addresses) need not be listed.
struct RedactionContext {
    QStringList hostNames; // e.g. the live host name and its short form
    QStringList userNames; // login names (e.g. from ROOT/etc/passwd, uid 1000..59999)

    // Reads ROOT/proc/sys/kernel/hostname (or the live host name on "/") and ROOT/etc/passwd.
    static RedactionContext fromRoot(const QString &root);
};

QList<Redaction> planRedactions(const QList<BundleMember> &members, const RedactionContext &context);
// Applies a plan (as returned by planRedactions, possibly for other members) to the members.
QList<BundleMember> applyRedactions(const QList<BundleMember> &members, const QList<Redaction> &plan);

// One line per redaction, for the CLI and the GUI's confirmation dialog.
QString describeRedactions(const QList<Redaction> &plan);

} // namespace kmr::bundle
