package io.github.jettysqlite.examples.shop;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;

/** {@code GET /?add=book} puts a book in the session's cart; {@code GET /} shows the cart. */
public final class CartServlet extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        HttpSession session = request.getSession(true);
        ShoppingCart cart = (ShoppingCart) session.getAttribute("cart");
        if (cart == null) {
            cart = new ShoppingCart();
        }
        String item = request.getParameter("add");
        if (item != null) {
            cart.add(item);
            // Set it again after changing it, so the store sees the attribute as changed.
            session.setAttribute("cart", cart);
        }
        response.setContentType("text/plain;charset=utf-8");
        response.getWriter().println(cart);
    }
}
