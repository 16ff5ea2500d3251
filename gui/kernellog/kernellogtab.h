// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include "helperclient/helperclient.h"
#include "kernellog/kernellogrecord.h"
#include "kernellog/oopsexcerpt.h"

#include <QSet>
#include <QWidget>

#include <memory>

class QCheckBox;
class QComboBox;
class QFrame;
class QLabel;
class QLineEdit;
class QListView;
class QPushButton;
class QSocketNotifier;
class QTableView;
class QTextBrowser;
class QTimer;

namespace kmr {

namespace kernellog {
class KmsgReader;
}
class JobTracker;
class KernelLogModel;
class KernelLogFilterProxyModel;
class OopsListModel;

// The Kernel Log tab: the log (severity colours, a text and level filter, follow mode) and the
// crash reports found in it. Selecting a report shows it with the frames of the implicated
// module highlighted: the module selected in the main window when the report names it,
// otherwise the report's most suspect module.
//
// It takes plain results (setLog, setExcerpts); reading the live log is readLive(). When the
// kernel refuses (kernel.dmesg_restrict=1) a banner says why and offers the helper, through
// helperReadRequested(); the installer connects that to HelperClient::readKernelLog and hands
// the records to setHelperLog(). Follow mode on a log read by the helper asks it every second
// for the newer records (helperFollowRequested -> HelperClient::readKernelLogAfter ->
// appendHelperRecords), one request at a time; records the ring buffer overwrote in between
// show as a gap. Only the request made when Follow is ticked may let polkit ask for a password
// (`interactive`); the background polls may not, so an expired authorization never pops up a
// dialog by itself. A refusal stops following and shows why (helperFollowFailed) until Follow,
// ticked again, gets an answer.
//
// New records of a followed log are searched for crash reports on a worker thread (the whole log
// again, after a burst: core's OopsExtractor is not incremental), one search at a time; records
// that arrive meanwhile are searched for when it ends. A search of a log no longer shown is
// dropped.
class KernelLogTab : public QWidget
{
    Q_OBJECT
public:
    explicit KernelLogTab(QWidget *parent = nullptr);
    ~KernelLogTab() override;

    // A whole log: replaces what is shown and finds its crash reports.
    void setLog(const kernellog::KernelLog &records, const QString &source);
    // Reports found elsewhere (a bundle); lines refer to the log set with setLog.
    void setExcerpts(const QList<kernellog::OopsExcerpt> &excerpts);
    void setModule(const QString &name);
    // Reads /dev/kmsg (or path). Returns false when refused; the banner then offers the helper.
    bool readLive(const QString &path = QStringLiteral("/dev/kmsg"));
    // Shows a saved log (dmesg text, journalctl -k or a /dev/kmsg capture) instead of the live one;
    // false, with the reason in the banner, when it cannot be read. It is read, and its reports
    // found, on a worker thread (a log can be hundreds of megabytes): logFileOpened() says when it
    // is shown. Another log shown meanwhile (live, a bundle's, another file) drops it.
    bool openLogFile(const QString &file);
    void setFollow(bool follow);
    void showHelperFailure(const QString &text);
    // The log as the helper's ReadKernelLog returned it.
    void setHelperLog(const QStringList &records);
    // The answer to helperFollowRequested(after).
    void appendHelperRecords(qint64 after, const QStringList &records);
    // A refused or failed helperFollowRequested(): following stops and the banner says why.
    void helperFollowFailed(const HelperFailure &failure);
    bool readsThroughHelper() const { return m_viaHelper; }
    // What a diagnosis that could not read the log (kernel.dmesg_restrict=1) tells the user to do:
    // read it here, through the helper.
    static QString refusedLogAdvice();
    qint64 lastSequence() const { return m_lastSequence; }
    // A recorded log and its crash reports (a bundle): replaces what is shown; follow, reload
    // and the helper are off until leaveRecorded(), which reads the live log again (or shows the
    // log shown before).
    void showRecorded(
        const kernellog::KernelLog &records, const QList<kernellog::OopsExcerpt> &excerpts, const QString &source);
    void leaveRecorded();
    bool showsRecorded() const { return m_recorded; }

    // For the installer and the tests.
    KernelLogModel *logModel() const { return m_model; }
    KernelLogFilterProxyModel *filterModel() const { return m_proxy; }
    OopsListModel *oopsModel() const { return m_oops; }
    QTableView *logView() const { return m_logView; }
    QListView *oopsView() const { return m_oopsView; }
    QTextBrowser *excerptView() const { return m_excerptView; }
    QLineEdit *filterEdit() const { return m_filter; }
    bool helperBannerVisible() const;
    QString bannerText() const;
    QSet<QString> oopsModules() const;
    void selectExcerpt(int row);
    QString highlightedModule() const { return m_highlight; }
    // A search of a followed log for crash reports is running, or its result is not shown yet.
    bool extractingReports() const;

Q_SIGNALS:
    void oopsModulesChanged(const QSet<QString> &modules);
    void logFileOpened(const QString &file);
    void helperReadRequested();
    // interactive: polkit may ask the user (the request made when Follow is ticked), or not (a poll).
    void helperFollowRequested(qint64 afterSequence, bool interactive);

private:
    void showExcerpt(int row);
    void readMore();
    void poll();
    void askHelper(bool interactive);
    void appendRecords(const kernellog::KernelLog &more);
    void noteLastSequence();
    void reextract();
    void dropExtraction();
    void replaceRecords(const kernellog::KernelLog &records);
    void setSource(const QString &source);
    void showLog(
        const kernellog::KernelLog &records, const QString &source, const QList<kernellog::OopsExcerpt> &excerpts);

    KernelLogModel *m_model;
    KernelLogFilterProxyModel *m_proxy;
    OopsListModel *m_oops;
    QLineEdit *m_filter;
    QComboBox *m_level;
    QCheckBox *m_follow;
    QPushButton *m_reload;
    QPushButton *m_openFile;
    QLabel *m_source;
    QFrame *m_banner;
    QLabel *m_bannerText;
    QPushButton *m_bannerButton;
    QTableView *m_logView;
    QListView *m_oopsView;
    QTextBrowser *m_excerptView;
    QTimer *m_reextract;
    QTimer *m_poll;
    std::unique_ptr<kernellog::KmsgReader> m_reader;
    std::unique_ptr<JobTracker> m_loads; // openLogFile()'s reading
    // The crash reports of a followed log (not m_loads: a search must not drop a file being read).
    std::unique_ptr<JobTracker> m_extractions;
    bool m_extractAgain = false; // records came while a search ran
    // The shown log as it came: the log, then each burst. A search takes these, never the model's
    // list: were that shared with a running search, the model's next append would copy it whole
    // on the GUI thread (hundreds of ms for a million records).
    QList<kernellog::KernelLog> m_searchParts;
    QSocketNotifier *m_notifier = nullptr;
    QString m_module;
    QString m_highlight;
    QString m_livePath;
    bool m_viaHelper = false; // the log came from the helper: follow mode asks it
    bool m_helperPending = false; // a follow request is on its way
    bool m_bannerShowsFollowRefusal = false; // helperFollowFailed()'s text: a later answer takes it down
    qint64 m_lastSequence = -1; // of the newest record shown, -1 when unknown
    bool m_recorded = false;
    kernellog::KernelLog m_shownBefore; // what leaveRecorded() shows again when no live log was read
    QString m_sourceBefore;
    bool m_viaHelperBefore = false;
};

} // namespace kmr
