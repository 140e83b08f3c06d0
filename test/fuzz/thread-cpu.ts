// CPU time of one thread (Linux: /proc/self/task/TID/stat) or process (/proc/PID/stat), so that the fuzz pool judges a hang
// by the CPU an input used, not by wall-clock time: on a machine shared by ten busy processes a
// 2 s input takes 20 s of wall time and was called a hang (80 of them in an hour's run), while an
// input that loops forever uses CPU all the time and is caught just the same. Node 20 has no
// per-thread CPU clock (process.threadCpuUsage came in Node 23), hence /proc.
import * as fs from 'node:fs';

/** Kernel clock ticks per second (USER_HZ): 100 on every Linux Node supports. */
const TICKS_PER_SECOND = 100;

/** This thread's id, for threadCpuMs from another thread; undefined off Linux. */
export function currentThreadId(): number | undefined {
    try {
        // "/proc/thread-self" -> "PID/task/TID"
        const tid = Number(fs.readlinkSync('/proc/thread-self').split('/').pop());
        return Number.isInteger(tid) && tid > 0 ? tid : undefined;
    } catch {
        return undefined;
    }
}

/** CPU time (user + system, ms) thread `tid` of this process used so far; undefined when it cannot be read. */
export function threadCpuMs(tid: number): number | undefined {
    return statCpuMs(`/proc/self/task/${tid}/stat`);
}

/** CPU time (user + system, ms) process `pid` (all its threads) used so far; undefined when it cannot be read. */
export function processCpuMs(pid: number): number | undefined {
    return statCpuMs(`/proc/${pid}/stat`);
}

function statCpuMs(file: string): number | undefined {
    try {
        const stat = fs.readFileSync(file, 'utf8');
        // Fields after the command name (which is in parentheses and may hold spaces): state is
        // field 3, utime 14 and stime 15.
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const ticks = Number(fields[11]) + Number(fields[12]);
        return Number.isFinite(ticks) ? (ticks * 1000) / TICKS_PER_SECOND : undefined;
    } catch {
        return undefined;
    }
}

/**
 * CPU time (ms) of this process's children that have ended and been waited for (Linux: cutime +
 * cstime of /proc/self/stat); undefined when it cannot be read.
 */
export function endedChildrenCpuMs(): number | undefined {
    try {
        const stat = fs.readFileSync('/proc/self/stat', 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const ticks = Number(fields[13]) + Number(fields[14]);
        return Number.isFinite(ticks) ? (ticks * 1000) / TICKS_PER_SECOND : undefined;
    } catch {
        return undefined;
    }
}
