/**
 * What can be done to one component of a running stack (`api@us-east`, `db@eu-west`, `router`...):
 * kill -9, pause (SIGSTOP), resume (SIGCONT), restart. Faults, runbook steps and the CLI ask for these;
 * each driver carries them out its own way (signals, container pause, pod delete).
 */
export type ProcessAction = 'kill' | 'pause' | 'resume' | 'restart';
