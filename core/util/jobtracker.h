// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <QMetaObject>
#include <QObject>
#include <QPointer>
#include <QThreadPool>

#include <atomic>
#include <functional>
#include <memory>
#include <type_traits>
#include <utility>

namespace kmr {

// Runs background jobs (scans, log reads, layouts) and delivers only the newest one's result.
//
// Each startJob() gets a new id. A job receives a `cancelled()` callable that turns true as soon
// as a newer job was started (or the tracker went away); it may stop early. Its result is handed
// to `setData` on the context object's thread, and only if no newer job has been started since:
// a slow, older scan that finishes after a newer one is dropped, never shown over it.
// The shape follows KDAB hotspot's jobtracker.h, on a private QThreadPool instead of ThreadWeaver.
class JobTracker
{
public:
    using JobId = quint64;

    explicit JobTracker(QObject *context, int maxThreads = 2)
        : m_context(context)
        , m_state(std::make_shared<State>())
    {
        m_pool.setMaxThreadCount(maxThreads);
    }

    // Outdates every job and waits for the running ones, so none outlives the context object.
    ~JobTracker()
    {
        cancel();
        m_pool.waitForDone();
    }

    JobTracker(const JobTracker &) = delete;
    JobTracker &operator=(const JobTracker &) = delete;

    // True from startJob() until the newest job's result was delivered (or cancel()).
    bool isJobRunning() const { return m_context && m_state->running; }
    JobId currentJobId() const { return m_state->currentId.load(); }

    // Outdates all started jobs: their results will be dropped.
    void cancel()
    {
        ++m_state->currentId;
        m_state->running = false;
    }

    // Blocks until every started job has returned (tests, shutdown). Results still arrive through
    // the context's event loop afterwards.
    void waitForDone() { m_pool.waitForDone(); }

    // job: Result(const std::function<bool()> &cancelled), run on the pool.
    // setData: void(Result), run on the context's thread for the newest job only.
    template<typename Job, typename SetData> JobId startJob(Job &&job, SetData &&setData)
    {
        const JobId id = ++m_state->currentId;
        m_state->running = true;
        std::shared_ptr<State> state = m_state;
        std::function<bool()> cancelled = [state, id] { return state->currentId.load() != id; };
        QPointer<QObject> context = m_context;

        m_pool.start([context, state, id, cancelled, job = std::forward<Job>(job),
                         setData = std::forward<SetData>(setData)]() mutable {
            auto result = job(cancelled);
            if (cancelled() || !context)
                return;
            // The context is alive here: ~JobTracker (a member of it, or outliving it) waits for us.
            QMetaObject::invokeMethod(
                context.data(),
                [state, id, result = std::move(result), setData = std::move(setData)]() mutable {
                    if (state->currentId.load() != id)
                        return; // a newer job was started while this result was queued
                    state->running = false;
                    setData(std::move(result));
                },
                Qt::QueuedConnection);
        });
        return id;
    }

private:
    struct State {
        std::atomic<JobId> currentId {0};
        bool running = false; // touched on the context's thread only
    };

    QPointer<QObject> m_context;
    std::shared_ptr<State> m_state;
    QThreadPool m_pool;
};

} // namespace kmr
