package io.github.jettysqlite.examples.visits;

import java.io.IOException;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import javax.servlet.http.HttpSession;

/** {@code GET /} counts a visit in the session and answers {@code visits: N}. */
public final class VisitServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        HttpSession session = request.getSession(true);
        Visits visits = (Visits) session.getAttribute("visits");
        visits = visits == null ? Visits.FIRST : visits.next();
        session.setAttribute("visits", visits);
        response.setContentType("text/plain;charset=utf-8");
        response.getWriter().println(visits);
    }
}
