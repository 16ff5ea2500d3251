// SPDX-License-Identifier: GPL-2.0-or-later
#include "kernellog/kernellogtab.h"

#include "kernellog/kernellogmodel.h"
#include "kernellog/kmsgreader.h"
#include "kernellog/oopsextractor.h"
#include "kernellog/oopslistmodel.h"
#include "util/jobtracker.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QPushButton>
#include <QSocketNotifier>
#include <QSplitter>
#include <QTableView>
#include <QTextBrowser>
#include <QTimer>
#include <QVBoxLayout>

namespace kmr {

using namespace kernellog;

KernelLogTab::KernelLogTab(QWidget *parent)
    : QWidget(parent)
    , m_model(new KernelLogModel(this))
    , m_proxy(new KernelLogFilterProxyModel(this))
    , m_oops(new OopsListModel(this))
    , m_filter(new QLineEdit(this))
    , m_level(new QComboBox(this))
    , m_follow(new QCheckBox(tr("Follow"), this))
    , m_reload(new QPushButton(tr("Reload"), this))
    , m_openFile(new QPushButton(tr("Open Log File…"), this))
    , m_source(new QLabel(this))
    , m_banner(new QFrame(this))
    , m_bannerText(new QLabel(m_banner))
    , m_bannerButton(new QPushButton(tr("Read Through the Helper…"), m_banner))
    , m_logView(new QTableView(this))
    , m_oopsView(new QListView(this))
    , m_excerptView(new QTextBrowser(this))
    , m_reextract(new QTimer(this))
    , m_poll(new QTimer(this))
    , m_loads(std::make_unique<JobTracker>(this, 1))
    , m_extractions(std::make_unique<JobTracker>(this, 1))
{
    m_proxy->setSourceModel(m_model);
    m_filter->setPlaceholderText(tr("Filter messages…"));
    m_filter->setClearButtonEnabled(true);
    const QStringList levels
        = {tr("Emergencies only"), tr("Alerts and worse"), tr("Critical and worse"), tr("Errors and worse"),
            tr("Warnings and worse"), tr("Notices and worse"), tr("Info and worse"), tr("All levels")};
    m_level->addItems(levels);
    m_level->setCurrentIndex(7);
    m_follow->setToolTip(tr("Show new kernel messages as they arrive"));
    m_openFile->setToolTip(tr("Study a log saved on another machine: dmesg, journalctl -k or a /dev/kmsg capture"));

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_filter, 1);
    bar->addWidget(m_level);
    bar->addWidget(m_follow);
    bar->addWidget(m_reload);
    bar->addWidget(m_openFile);

    m_banner->setFrameShape(QFrame::StyledPanel);
    m_banner->setStyleSheet(QStringLiteral("QFrame { background: #fff4d6; }"));
    m_bannerText->setWordWrap(true);
    auto *bannerLayout = new QHBoxLayout(m_banner);
    bannerLayout->addWidget(m_bannerText, 1);
    bannerLayout->addWidget(m_bannerButton);
    m_banner->hide();

    m_logView->setModel(m_proxy);
    m_logView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_logView->setWordWrap(false);
    m_logView->verticalHeader()->hide();
    m_logView->verticalHeader()->setDefaultSectionSize(m_logView->fontMetrics().height() + 4);
    m_logView->horizontalHeader()->setStretchLastSection(true);
    m_logView->setEditTriggers(QAbstractItemView::NoEditTriggers);

    m_oopsView->setModel(m_oops);
    m_oopsView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_excerptView->setOpenLinks(false);
    m_excerptView->setLineWrapMode(QTextEdit::NoWrap);

    auto *right = new QSplitter(Qt::Vertical, this);
    auto *reportsBox = new QWidget(right);
    auto *reportsLayout = new QVBoxLayout(reportsBox);
    reportsLayout->setContentsMargins(0, 0, 0, 0);
    reportsLayout->addWidget(new QLabel(tr("Crash reports in this log:"), reportsBox));
    reportsLayout->addWidget(m_oopsView);
    right->addWidget(reportsBox);
    right->addWidget(m_excerptView);
    auto *split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(m_logView);
    split->addWidget(right);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(m_banner);
    layout->addWidget(m_source);
    layout->addWidget(split, 1);

    m_reextract->setSingleShot(true);
    m_reextract->setInterval(500);
    connect(m_reextract, &QTimer::timeout, this, &KernelLogTab::reextract);
    m_poll->setInterval(1000);
    connect(m_poll, &QTimer::timeout, this, &KernelLogTab::poll);
    connect(m_filter, &QLineEdit::textChanged, m_proxy, &KernelLogFilterProxyModel::setText);
    connect(m_level, &QComboBox::currentIndexChanged, m_proxy, &KernelLogFilterProxyModel::setMaxPriority);
    connect(m_follow, &QCheckBox::toggled, this, &KernelLogTab::setFollow);
    connect(m_reload, &QPushButton::clicked, this,
        [this] { readLive(m_livePath.isEmpty() ? QStringLiteral("/dev/kmsg") : m_livePath); });
    connect(m_bannerButton, &QPushButton::clicked, this, &KernelLogTab::helperReadRequested);
    connect(m_openFile, &QPushButton::clicked, this, [this] {
        const QString file = QFileDialog::getOpenFileName(this, tr("Open Kernel Log"));
        if (!file.isEmpty())
            openLogFile(file);
    });
    connect(m_oopsView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
        [this](const QModelIndex &current) { showExcerpt(current.isValid() ? current.row() : -1); });
}

KernelLogTab::~KernelLogTab() = default; // m_extractions and m_loads wait for their running job

void KernelLogTab::setSource(const QString &source)
{
    m_source->setText(tr("%1 — %n record(s)", nullptr, int(m_model->records().size())).arg(source));
}

void KernelLogTab::setLog(const KernelLog &records, const QString &source)
{
    showLog(records, source, OopsExtractor::extract(records));
}

void KernelLogTab::showLog(const KernelLog &records, const QString &source, const QList<OopsExcerpt> &excerpts)
{
    m_loads->cancel(); // a file still being read is not shown over this
    replaceRecords(records);
    m_viaHelper = false;
    m_helperPending = false;
    m_banner->hide();
    setSource(source);
    setExcerpts(excerpts);
}

void KernelLogTab::setExcerpts(const QList<OopsExcerpt> &excerpts)
{
    const int row = m_oopsView->currentIndex().row();
    m_oops->setExcerpts(excerpts);
    Q_EMIT oopsModulesChanged(oopsModules());
    if (excerpts.isEmpty()) {
        m_excerptView->setPlainText(tr("No crash report in this log."));
        return;
    }
    selectExcerpt(row >= 0 && row < excerpts.size() ? row : int(excerpts.size()) - 1);
}

// Another log is shown.
void KernelLogTab::replaceRecords(const KernelLog &records)
{
    dropExtraction(); // a search of the old log is not shown over this one
    m_model->setRecords(records);
    m_searchParts = {records};
    noteLastSequence();
}

// The whole log, put together and searched on a worker.
void KernelLogTab::reextract()
{
    if (m_extractions->isJobRunning()) {
        m_extractAgain = true; // searched for when the running search ends: it is not starved
        return;
    }
    m_extractAgain = false;
    m_extractions->startJob(
        [parts = m_searchParts](const std::function<bool()> &) {
            KernelLog all;
            qsizetype size = 0;
            for (const KernelLog &part : parts)
                size += part.size();
            all.reserve(size);
            for (const KernelLog &part : parts)
                all += part;
            return OopsExtractor::extract(all);
        },
        [this](const QList<OopsExcerpt> &excerpts) {
            setExcerpts(excerpts);
            if (m_extractAgain)
                reextract();
        });
}

void KernelLogTab::dropExtraction()
{
    m_reextract->stop();
    m_extractions->cancel();
    m_extractAgain = false;
}

bool KernelLogTab::extractingReports() const
{
    return m_extractions->isJobRunning();
}

QSet<QString> KernelLogTab::oopsModules() const
{
    QSet<QString> modules;
    for (const OopsExcerpt &e : m_oops->excerpts()) {
        for (const QString &m : implicatedModules(e))
            modules.insert(m);
    }
    return modules;
}

void KernelLogTab::setModule(const QString &name)
{
    m_module = name;
    // Show the newest report about that module, if there is one.
    const QList<OopsExcerpt> &all = m_oops->excerpts();
    for (qsizetype i = all.size() - 1; i >= 0; --i) {
        if (implicatedModules(all[i]).contains(name)) {
            selectExcerpt(int(i));
            return;
        }
    }
    showExcerpt(m_oopsView->currentIndex().row());
}

void KernelLogTab::selectExcerpt(int row)
{
    if (row < 0 || row >= m_oops->rowCount())
        return;
    const QModelIndex index = m_oops->index(row);
    if (m_oopsView->currentIndex() == index)
        showExcerpt(row);
    else
        m_oopsView->setCurrentIndex(index);
}

void KernelLogTab::showExcerpt(int row)
{
    const QList<OopsExcerpt> &all = m_oops->excerpts();
    if (row < 0 || row >= all.size()) {
        m_excerptView->clear();
        m_highlight.clear();
        return;
    }
    const OopsExcerpt &e = all[row];
    const QStringList modules = implicatedModules(e);
    m_highlight = modules.contains(m_module) ? m_module : modules.value(0);
    const QString tag = QStringLiteral("[") + m_highlight + QLatin1Char(']');

    QString html = QStringLiteral("<h3>%1</h3><p>").arg(e.title.toHtmlEscaped());
    if (!e.faultingFunction.isEmpty())
        html += tr("Faulting function: <b>%1</b>").arg(e.faultingFunction.toHtmlEscaped())
            + (e.faultingModule.isEmpty() ? QString() : QStringLiteral(" [%1]").arg(e.faultingModule.toHtmlEscaped()))
            + QStringLiteral("<br>");
    if (!modules.isEmpty())
        html += tr("Implicated modules: %1").arg(modules.join(QStringLiteral(", ")).toHtmlEscaped())
            + QStringLiteral("<br>");
    if (!e.taint.isEmpty())
        html += tr("Kernel taint: %1").arg(e.taint.toHtmlEscaped()) + QStringLiteral("<br>");
    if (e.truncated)
        html += QStringLiteral("<span style='color:#806000'>") + tr("Truncated: %1").arg(e.truncatedWhy.toHtmlEscaped())
            + QStringLiteral("</span><br>");
    html += QStringLiteral("</p><pre>");
    for (const QString &line : e.lines) {
        const QString escaped = line.toHtmlEscaped();
        if (!m_highlight.isEmpty() && line.contains(tag))
            html += QStringLiteral("<span class='implicated' style='background:#ffe08a;font-weight:bold'>") + escaped
                + QStringLiteral("</span>\n");
        else
            html += escaped + QLatin1Char('\n');
    }
    html += QStringLiteral("</pre>");
    m_excerptView->setHtml(html);

    // Bring the report's first line into view in the log.
    const QModelIndex source = m_model->index(e.firstLine, KernelLogModel::MessageColumn);
    const QModelIndex shown = m_proxy->mapFromSource(source);
    if (shown.isValid())
        m_logView->scrollTo(shown, QAbstractItemView::PositionAtTop);
}

void KernelLogTab::showRecorded(const KernelLog &records, const QList<OopsExcerpt> &excerpts, const QString &source)
{
    m_loads->cancel(); // a file still being read is not shown over the recording
    if (!m_recorded) {
        m_shownBefore = m_model->records();
        m_sourceBefore = m_source->text();
        m_viaHelperBefore = m_viaHelper;
    }
    m_recorded = true;
    setFollow(false);
    m_viaHelper = false; // a late answer from the helper is for the live log: dropped
    m_helperPending = false;
    for (QWidget *w : std::initializer_list<QWidget *> {m_follow, m_reload, m_openFile, m_bannerButton})
        w->setEnabled(false);
    m_follow->setToolTip(tr("A recorded log does not grow: the bundle's log is shown"));
    replaceRecords(records); // a live burst's search does not replace the recorded reports
    m_banner->hide();
    setSource(source);
    setExcerpts(excerpts); // as recorded, not extracted again
}

void KernelLogTab::leaveRecorded()
{
    if (!m_recorded)
        return;
    m_recorded = false;
    m_loads->cancel();
    for (QWidget *w : std::initializer_list<QWidget *> {m_follow, m_reload, m_openFile, m_bannerButton})
        w->setEnabled(true);
    m_follow->setToolTip(tr("Show new kernel messages as they arrive"));
    if (m_reader) {
        readLive(m_livePath);
    } else {
        replaceRecords(m_shownBefore);
        m_viaHelper = m_viaHelperBefore; // a log read by the helper is followed through it again
        m_source->setText(m_sourceBefore);
        reextract();
    }
    m_shownBefore.clear();
}

bool KernelLogTab::helperBannerVisible() const
{
    return !m_banner->isHidden();
}

QString KernelLogTab::bannerText() const
{
    return m_bannerText->text();
}

void KernelLogTab::showHelperFailure(const QString &text)
{
    m_bannerText->setText(text);
    m_banner->show();
    m_bannerShowsFollowRefusal = false;
}

QString KernelLogTab::refusedLogAdvice()
{
    return tr("No crash report is cited: this system lets only administrators read the kernel log "
              "(kernel.dmesg_restrict=1). Read it in the Kernel Log tab (Read Through the Helper…), "
              "then diagnose again.");
}

bool KernelLogTab::readLive(const QString &path)
{
    m_livePath = path;
    auto reader = std::make_unique<KmsgReader>(path);
    if (!reader->open()) {
        if (reader->error() == KernelLogError::PermissionDenied) {
            m_bannerText->setText(
                tr("This system lets only administrators read the kernel log (kernel.dmesg_restrict=1). "
                   "kmodrescue can read it through its helper, which asks for your authorization once."));
            m_bannerButton->show();
        } else {
            m_bannerText->setText(reader->errorString());
            m_bannerButton->hide();
        }
        m_banner->show();
        m_bannerShowsFollowRefusal = false;
        return false;
    }
    const KernelLog log = reader->readAvailable();
    m_reader = std::move(reader);
    setLog(log, path);
    if (m_follow->isChecked())
        setFollow(true);
    return true;
}

bool KernelLogTab::openLogFile(const QString &file)
{
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly)) {
        showHelperFailure(tr("Cannot read %1: %2").arg(file, f.errorString()));
        return false;
    }
    f.close();
    setFollow(false);
    // A saved log does not grow: the live reader goes, so that Follow cannot append this
    // machine's new records to another machine's log. Reload reads the live log again.
    m_reader.reset();
    m_source->setText(tr("Reading %1…").arg(file));
    struct Loaded {
        KernelLog records;
        QList<OopsExcerpt> excerpts;
    };
    m_loads->startJob(
        [file](const std::function<bool()> &) {
            Loaded l;
            l.records = readLogFile(file);
            l.excerpts = OopsExtractor::extract(l.records);
            return l;
        },
        [this, file](Loaded l) {
            showLog(l.records, file, l.excerpts);
            Q_EMIT logFileOpened(file);
        });
    return true;
}

void KernelLogTab::setHelperLog(const QStringList &records)
{
    m_reader.reset();
    setLog(parseKmsgRecords(records),
        tr("/dev/kmsg, read by the helper (this system refuses a direct read: kernel.dmesg_restrict=1)"));
    m_viaHelper = true;
    if (m_follow->isChecked())
        setFollow(true);
}

void KernelLogTab::helperFollowFailed(const HelperFailure &failure)
{
    m_helperPending = false;
    setFollow(false);
    // A poll may not ask for a password: "authorization required" means polkit's kept
    // authorization (auth_admin_keep) ran out since Follow was ticked.
    showHelperFailure(failure.kind == HelperFailure::Kind::AuthorizationRequired
            ? tr("Following stopped: the authorization to read the kernel log has expired, and kmodrescue does not "
                 "ask for your password in the background. Tick Follow to authorize again.")
            : failure.text() + QLatin1Char(' ')
                + tr("Following the log through the helper has stopped; tick Follow to try again."));
    m_bannerShowsFollowRefusal = true;
}

void KernelLogTab::appendHelperRecords(qint64 after, const QStringList &records)
{
    if (!m_viaHelper || after != m_lastSequence)
        return; // an answer for a log that is no longer shown
    m_helperPending = false;
    if (m_bannerShowsFollowRefusal) {
        // Follow ticked again after a refusal, and the helper answers: the refusal is over.
        m_banner->hide();
        m_bannerShowsFollowRefusal = false;
    }
    appendRecords(parseKmsgRecordsAfter(after, records));
}

void KernelLogTab::noteLastSequence()
{
    const KernelLog &all = m_model->records();
    for (qsizetype i = all.size() - 1; i >= 0; --i) {
        if (!all[i].isGap() && all[i].sequence >= 0) {
            m_lastSequence = all[i].sequence;
            return;
        }
    }
    m_lastSequence = -1;
}

void KernelLogTab::poll()
{
    if (!m_viaHelper)
        return readMore();
    askHelper(false);
}

void KernelLogTab::askHelper(bool interactive)
{
    if (m_helperPending || m_lastSequence < 0)
        return;
    m_helperPending = true;
    Q_EMIT helperFollowRequested(m_lastSequence, interactive);
}

void KernelLogTab::setFollow(bool follow)
{
    if (m_follow->isChecked() != follow)
        m_follow->setChecked(follow); // comes back here through toggled()
    delete m_notifier;
    m_notifier = nullptr;
    m_poll->stop();
    if (follow && m_viaHelper) {
        m_poll->start(); // the helper cannot be watched: ask it every second
        askHelper(true); // Follow was ticked: polkit may ask for a password now, and only now
    } else if (follow && m_reader && m_reader->isOpen()) {
        if (m_reader->isDevice()) {
            m_notifier = new QSocketNotifier(m_reader->fd(), QSocketNotifier::Read, this);
            connect(m_notifier, &QSocketNotifier::activated, this, &KernelLogTab::readMore);
        } else {
            m_poll->start(); // a file is always "readable": look for new lines now and then
        }
        readMore();
    }
}

void KernelLogTab::readMore()
{
    if (!m_reader)
        return;
    appendRecords(m_reader->readAvailable());
}

void KernelLogTab::appendRecords(const KernelLog &more)
{
    if (more.isEmpty())
        return;
    m_model->appendRecords(more);
    m_searchParts << more;
    noteLastSequence();
    setSource(m_viaHelper ? tr("/dev/kmsg, followed through the helper (kernel.dmesg_restrict=1)") : m_livePath);
    if (m_follow->isChecked())
        m_logView->scrollToBottom();
    m_reextract->start(); // a burst of messages is one extraction
}

} // namespace kmr
