package dialroute.admin;

import dialroute.dialplan.DialPlan;
import dialroute.dialplan.InvalidDialPlanException;

/** The plan file being served, as the admin API may use it: read it again, put a plan in service. */
public interface PlanFile {
    /** Reads and validates the file as it is now; changes nothing. */
    DialPlan read() throws InvalidDialPlanException;

    /** Puts {@code plan} in service, as a reload from the file would (log line, metrics). */
    void install(DialPlan plan);
}
