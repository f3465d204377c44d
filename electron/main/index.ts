// Placeholder: the Electron shell arrives with its own issue.
export {};
