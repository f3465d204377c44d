/** What a first-time user sees before any run: what to do, and what they will see. */
export function EmptyState() {
  return (
    <div className="empty-state">
      <div className="empty-card">
        <h3>Pick a workload and press Run</h3>
        <p>
          Poolscope runs your tasks on a real pool of worker processes and shows every step as it happens — nothing here
          is simulated.
        </p>
        <ol>
          <li>
            Set the <strong>pool size</strong>: how many worker processes share the work.
          </li>
          <li>
            Choose a <strong>workload</strong> and how many tasks to run.
          </li>
          <li>
            Press <strong>Run</strong> <kbd>Ctrl</kbd>+<kbd>Enter</kbd> and watch tasks travel from the queue to the
            workers and into the results.
          </li>
        </ol>
        <p className="empty-tip">Tip: move the pool-size slider during a run and the pool grows or shrinks live.</p>
      </div>
    </div>
  );
}
