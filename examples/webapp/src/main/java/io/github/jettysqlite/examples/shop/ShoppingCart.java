package io.github.jettysqlite.examples.shop;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/** A class only this webapp has: the session store must load it through the webapp's class loader. */
public final class ShoppingCart implements Serializable {
    private static final long serialVersionUID = 1L;

    private final List<String> items = new ArrayList<>();

    public void add(String item) {
        items.add(item);
    }

    @Override
    public String toString() {
        return "cart: " + items;
    }
}
